package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Broken packages (models/fixtures/make_faulty.py) served by the same worker as the working ones: a NaN
 * model's job fails with engine_numeric_error and stores and bills nothing; a model that draws one flat
 * grey gets every sample failed_quality and its job failed with quality_failed, unbilled; the worker
 * keeps serving the other models meanwhile.
 */
class OutputIntegrityTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    @Test
    void aNanModelsJobFailsWithEngineNumericErrorAndNothingIsStoredOrBilled() {
        String broken = platform.submit("{\"prompt\":\"a red apple\",\"model\":\"tiny-nan\",\"num_samples\":2,\"steps\":4}");
        String healthy = platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":2,\"steps\":4}");

        JsonNode job = platform.awaitStatus(broken, "failed", JOB_TIMEOUT);
        assertEquals("engine_numeric_error", job.path("error").path("code").asText(), job.toString());
        assertTrue(job.path("error").path("message").asText().startsWith("tiny-nan@1 produced non-finite values"), job.toString());
        assertEquals(0, job.path("samples").size(), "no sample was stored");
        assertEquals(0, job.path("cost").path("usd").decimalValue().signum());
        UUID id = UUID.fromString(broken);
        assertEquals(0, platform.count("select count(*) from sample_costs where job_id = ?", id));
        assertEquals(0, platform.objects("genq-pending", broken).size());
        assertEquals(0, platform.objects("genq-outputs", broken).size());
        assertEquals(1, platform.count("select attempts from jobs where id = ?", id), "not retried: it would fail the same way");

        JsonNode ok = platform.awaitStatus(healthy, "succeeded", JOB_TIMEOUT);
        for (JsonNode s : ok.path("samples")) {
            Pictures.assertPicture(platform.download(s.path("url").asText()), 32, "healthy sample " + s.path("index"));
        }
        assertTrue(platform.workerMetrics().contains("genq_engine_nonfinite_samples_total{model=\"tiny-nan@1\"}"));
    }

    @Test
    void aFlatModelsSamplesFailQualityAndItsJobFailsUnbilled() {
        String id = platform.submit("{\"prompt\":\"a blue star\",\"model\":\"tiny-flat\",\"num_samples\":2,\"steps\":6}");
        JsonNode job = platform.awaitStatus(id, "failed", JOB_TIMEOUT);

        assertEquals("quality_failed", job.path("error").path("code").asText(), job.toString());
        assertEquals(2, job.path("samples").size());
        for (JsonNode s : job.path("samples")) {
            assertEquals("failed_quality", s.path("status").asText());
            assertFalse(s.has("url"), "never downloadable");
            assertFalse(s.path("quality").path("passed").asBoolean());
            assertTrue(s.path("quality").path("reasons").toString().contains("no_contrast"), s.toString()); // a flat grey, give or take a level
            assertEquals(0, s.path("cost").path("usd").decimalValue().signum(), "not billed");
        }
        assertEquals(0, job.path("cost").path("usd").decimalValue().signum());
        UUID uuid = UUID.fromString(id);
        // the compute is recorded, not charged
        assertEquals(2, platform.count("select count(*) from sample_costs where job_id = ? and not billable", uuid));
        assertEquals(0, platform.objects("genq-outputs", id).size());
        assertEquals(0, platform.objects("genq-pending", id).size());
    }
}
