package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the worker in the middle of a batch: every job still completes, on the restarted worker,
 * with each sample produced, stored and billed exactly once, and within the trace it started in.
 */
class WorkerCrashTest {
    final Platform platform = Platform.get();

    @Test
    void aWorkerKilledMidBatchLosesNoJobAndBillsNothingTwice() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // 500 steps: long enough on the fixture model to be killed in the middle
            ids.add(platform.submit("{\"prompt\":\"a crash " + i + "\",\"num_samples\":2,\"steps\":500,\"seed\":" + (300 + i) + "}"));
        }
        platform.awaitJob(ids.get(0), Duration.ofSeconds(60), j -> j.path("progress").asDouble() > 0.05);
        platform.killAndRestartWorker();
        // each job succeeded with its 2 samples, 2 stored images and 2 cost rows: none lost, made or billed twice
        ExactlyOnce.assertSucceededOnce(platform, ids, 2, Duration.ofSeconds(120 * ids.size()));
        long retaken = 0;
        for (String id : ids) {
            retaken += platform.count("select count(*) from jobs where id = ? and attempts > 1", UUID.fromString(id));
        }
        assertTrue(retaken >= 1, "the job that was running when the worker died was taken over");
        // a job taken over (redelivered, or queued again by the sweeper) goes on in the trace it started in
        for (String id : ids) {
            // wait (bounded) until the job's relayed send and the surviving worker's processing are exported
            Set<String> traces = platform.traces.await("spans of job " + id, s -> id.equals(s.attributes().get("genq.job.id")),
                            spans -> spans.stream().map(s -> s.service() + " " + s.name()).collect(Collectors.toSet())
                                    .containsAll(Set.of("genq-api-gateway send genq.jobs.preview", "genq-worker process genq.jobs.preview")),
                            Duration.ofSeconds(15))
                    .stream().map(TraceCollector.ReceivedSpan::traceId).collect(Collectors.toSet());
            assertEquals(1, traces.size(), "every span of job " + id + " in one trace: " + traces);
        }
    }
}
