package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The object store unreachable while a job runs. A short outage is ridden out by the retries around
 * every object-store call, and the job completes once; a long one exhausts the worker's retry budget
 * (Platform: 3 attempts, each store call retried 3 times) and the job fails with a code that says
 * why, unbilled and with nothing stored, and stays failed when the store returns.
 */
class ObjectStoreOutageTest {
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aJobRunningThroughAShortOutageCompletesOnce() throws Exception {
        String id;
        platform.stack.stopObjectStore();
        try {
            id = platform.submit("{\"prompt\":\"a short outage\",\"num_samples\":2,\"steps\":2}");
            platform.awaitJob(id, Duration.ofSeconds(60), j -> !"queued".equals(j.path("status").asText()));
            Thread.sleep(1000);
        } finally {
            platform.stack.restartObjectStore();
        }
        ExactlyOnce.assertSucceededOnce(platform, List.of(id), 2, Duration.ofSeconds(90));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aJobOutlastedByTheOutageFailsWithACodeAndIsNotBilled() throws Exception {
        String id;
        JsonNode failed;
        platform.stack.stopObjectStore();
        try {
            id = platform.submit("{\"prompt\":\"a long outage\",\"steps\":2}");
            failed = platform.awaitStatus(id, "failed", Duration.ofSeconds(90));
        } finally {
            platform.stack.restartObjectStore();
        }
        assertEquals("object_store_unavailable", failed.path("error").path("code").asText(), failed.toString());
        UUID jobId = UUID.fromString(id);
        Thread.sleep(2000); // the store is back: nothing may revive or bill the failed job now
        JsonNode after = platform.get("/v1/jobs/" + id).body();
        assertEquals("failed", after.path("status").asText(), after.toString());
        assertEquals(0, platform.count("select count(*) from sample_costs where job_id = ?", jobId), "not billed");
        assertEquals(0, platform.count("select count(*) from samples where job_id = ?", jobId));
        assertEquals(0, platform.objects("genq-pending", id).size());
        assertEquals(0, platform.objects("genq-outputs", id).size());
        assertEquals(0, after.path("cost").path("usd").decimalValue().signum(), after.toString());
    }
}
