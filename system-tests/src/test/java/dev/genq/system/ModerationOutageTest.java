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
 * Moderation down while samples are generated: they wait in the pending bucket, unscored and
 * unreleased (no URL, nothing in the outputs bucket), and are released once moderation is back.
 */
class ModerationOutageTest {
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void samplesWaitUnreleasedWhileModerationIsDown() throws Exception {
        String id;
        platform.stop(Platform.MODERATION);
        try {
            id = platform.submit("{\"prompt\":\"an unmoderated moment\",\"num_samples\":2,\"steps\":2}");
            JsonNode job = platform.awaitStatus(id, "moderating", Duration.ofSeconds(60));
            Thread.sleep(2000); // time enough for anything that would release it to do so
            job = platform.get("/v1/jobs/" + id).body();
            assertEquals("moderating", job.path("status").asText(), job.toString());
            UUID jobId = UUID.fromString(id);
            assertEquals(2, platform.count("select count(*) from samples where job_id = ? and status = 'pending'"
                    + " and moderation is null", jobId), "generated, stored, not scored");
            assertEquals(2, platform.objects("genq-pending", id).size());
            assertEquals(0, platform.objects("genq-outputs", id).size(), "nothing released");
            for (JsonNode sample : job.path("samples")) {
                assertEquals("", sample.path("url").asText(), "no URL for an unreleased sample: " + job);
            }
        } finally {
            platform.restart(Platform.MODERATION);
        }
        ExactlyOnce.assertSucceededOnce(platform, List.of(id), 2, Duration.ofSeconds(60));
    }
}
