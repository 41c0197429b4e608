package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collection;
import java.util.UUID;

/**
 * What the platform promises for every accepted job, checked where it is recorded: it ends succeeded,
 * with exactly its samples (one row, one stored object and one cost row each: never lost, produced
 * or billed twice) and nothing left in the pending bucket.
 */
final class ExactlyOnce {
    private ExactlyOnce() {
    }

    /** Waits (at most {@code timeout} for all) until every job succeeded, then checks its ledger. */
    static void assertSucceededOnce(Platform platform, Collection<String> ids, int samplesPerJob, Duration timeout) {
        assertSucceededOnce(platform, platform.clientKey, ids, samplesPerJob, timeout);
    }

    /** The same for jobs of the tenant of {@code key}. */
    static void assertSucceededOnce(Platform platform, String key, Collection<String> ids, int samplesPerJob, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String id : ids) {
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(1).toNanos()));
            JsonNode job = platform.awaitStatus(key, id, "succeeded", left);
            UUID jobId = UUID.fromString(id);
            assertEquals(samplesPerJob, platform.count("select count(*) from samples where job_id = ? and status = 'released'", jobId),
                    "released samples of " + id);
            assertEquals(samplesPerJob, platform.count("select count(*) from samples where job_id = ?", jobId), "samples of " + id);
            assertEquals(samplesPerJob, platform.count("select count(*) from sample_costs where job_id = ?", jobId),
                    "one cost row per sample of " + id);
            assertEquals(samplesPerJob, platform.objects("genq-outputs", id).size(), "stored images of " + id);
            assertEquals(0, platform.objects("genq-pending", id).size(), "pending leftovers of " + id);
            assertEquals(samplesPerJob, job.path("samples").size(), "samples the API lists for " + id);
        }
    }
}
