package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Preview, then upscale the sample you like: the super-resolution stage starts from that exact image. */
class UpscaleTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    @Test
    void upscaleSharpensTheChosenReleasedPreviewSample() throws Exception {
        String preview = platform.submit("{\"prompt\":\"a yellow star\",\"num_samples\":2,\"seed\":40,\"steps\":5}");
        JsonNode parent = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);

        Platform.Reply r = platform.post("/v1/jobs/" + preview + "/upscale", "{\"sample\":1}");
        assertEquals(202, r.status(), r.raw());
        String id = r.body().path("id").asText();
        assertEquals(preview, r.body().path("parent_id").asText());
        assertEquals(1, r.body().path("parent_sample").asInt());
        assertEquals("full", r.body().path("mode").asText());
        assertEquals(parent.path("samples").get(1).path("seed").asLong(), r.body().path("params").path("seed").asLong());

        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-sr@1", job.path("model_version").asText());
        Pictures.assertPicture(platform.download(job.path("samples").get(0).path("url").asText()), 128, "upscaled sample");
        // only the super-resolution stage ran and was billed
        assertEquals(1, platform.count("select count(*) from sample_costs where job_id = ?", UUID.fromString(id)));
        assertEquals("super_resolution", platform.text("select stage from sample_costs where job_id = ?", UUID.fromString(id)));

        // the same sample upscaled again gives the same bytes: the input really is the stored preview
        String again = platform.post("/v1/jobs/" + preview + "/upscale", "{\"sample\":1}").body().path("id").asText();
        platform.awaitStatus(again, "succeeded", JOB_TIMEOUT);
        String sha = "select sha256 from samples where job_id = ? and idx = 0";
        assertEquals(platform.text(sha, UUID.fromString(id)), platform.text(sha, UUID.fromString(again)));
        // and a different preview sample gives a different image
        String other = platform.post("/v1/jobs/" + preview + "/upscale", "{\"sample\":0}").body().path("id").asText();
        platform.awaitStatus(other, "succeeded", JOB_TIMEOUT);
        assertEquals(false, platform.text(sha, UUID.fromString(id)).equals(platform.text(sha, UUID.fromString(other))));
    }

    @Test
    void onlyReleasedPreviewSamplesCanBeUpscaled() {
        String preview = platform.submit("{\"prompt\":\"a cat\",\"num_samples\":1,\"steps\":3}");
        platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);
        for (var c : List.of(new String[] {"{\"sample\":5}", "sample_not_released", "409"},
                new String[] {"{}", "sample_required", "400"}, new String[] {"{\"sample\":-1}", "sample_required", "400"})) {
            Platform.Reply r = platform.post("/v1/jobs/" + preview + "/upscale", c[0]);
            assertEquals(Integer.parseInt(c[2]), r.status(), r.raw());
            assertEquals(c[1], r.body().path("code").asText());
        }
        String full = platform.submit("{\"prompt\":\"a cat\",\"mode\":\"full\",\"steps\":3}");
        platform.awaitStatus(full, "succeeded", JOB_TIMEOUT);
        Platform.Reply notPreview = platform.post("/v1/jobs/" + full + "/upscale", "{\"sample\":0}");
        assertEquals(409, notPreview.status());
        assertEquals("not_a_preview", notPreview.body().path("code").asText());
        Platform.Reply missing = platform.post("/v1/jobs/" + UUID.randomUUID() + "/upscale", "{\"sample\":0}");
        assertEquals(404, missing.status());
    }
}
