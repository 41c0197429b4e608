package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the worker in the middle of a batch: every job still completes, on the restarted worker,
 * with each sample produced, stored and billed exactly once.
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
    }
}
