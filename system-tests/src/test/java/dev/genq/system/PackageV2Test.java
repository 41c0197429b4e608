package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A v2 package (models/fixtures/tiny-v2: a Hugging Face tokenizer.json, a sequence text encoder, a cross-attention
 * denoiser, diffusers' scheduler_config.json) served next to the v1 fixtures by the same worker: it is in the
 * models API with its own limits, and its preview and full jobs run through the three services to released
 * pictures. Its weights are random, so the pictures are coloured noise: checked as images, not as content. And
 * the latent one (models/fixtures/tiny-sd: the denoiser draws 4-channel latents, a vae_decoder makes them pictures)
 * the same way, while a job that would start it from an image is refused at submit.
 */
class PackageV2Test {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
    final Platform platform = Platform.get();

    @Test
    void aV2PackageServesPreviewAndFullJobs() {
        var model = platform.get("/v1/models/tiny-v2");
        assertEquals(200, model.status(), model.raw());
        assertEquals("text-to-image", model.body().path("kind").asText(), model.raw());
        assertEquals(12, model.body().path("versions").path(0).path("default_steps").asInt(), model.raw());

        String preview = platform.submit("{\"prompt\":\"a grinning cat\",\"model\":\"tiny-v2\",\"num_samples\":2,\"seed\":5}");
        JsonNode job = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-v2@1", job.path("model_version").asText(), job.toString());
        assertEquals(12, job.path("params").path("steps").asInt(), "the package's default steps: " + job);
        for (JsonNode s : job.path("samples")) {
            assertEquals("released", s.path("status").asText(), s.toString());
            Pictures.assertPicture(platform.download(s.path("url").asText()), 32, "tiny-v2 preview sample " + s.path("index"));
        }

        String full = platform.submit("{\"prompt\":\"a red apple\",\"model\":\"tiny-v2\",\"mode\":\"full\",\"seed\":6,\"steps\":7}");
        job = platform.awaitStatus(full, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-v2@1+tiny-sr@1", job.path("model_version").asText(), job.toString());
        JsonNode s = job.path("samples").get(0);
        Pictures.assertPicture(platform.download(s.path("url").asText()), 128, "tiny-v2 full sample");
        assertTrue(job.path("prompt_truncated").isMissingNode() || !job.path("prompt_truncated").asBoolean(), job.toString());
    }

    @Test
    void aLatentPackageServesPreviewAndFullJobsAndRefusesImageInputs() {
        var model = platform.get("/v1/models/tiny-sd");
        assertEquals(200, model.status(), model.raw());
        assertEquals(false, model.body().path("versions").path(0).path("image_inputs").asBoolean(true), model.raw());
        assertEquals(32, model.body().path("versions").path(0).path("resolution").asInt(), model.raw());

        String preview = platform.submit("{\"prompt\":\"a grinning cat\",\"model\":\"tiny-sd\",\"num_samples\":2,\"seed\":5}");
        JsonNode job = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-sd@1", job.path("model_version").asText(), job.toString());
        for (JsonNode s : job.path("samples")) {
            assertEquals("released", s.path("status").asText(), s.toString());
            Pictures.assertPicture(platform.download(s.path("url").asText()), 32, "tiny-sd preview sample " + s.path("index"));
        }

        String full = platform.submit("{\"prompt\":\"a red apple\",\"model\":\"tiny-sd\",\"mode\":\"full\",\"seed\":6,\"steps\":7}");
        job = platform.awaitStatus(full, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-sd@1+tiny-sr@1", job.path("model_version").asText(), job.toString());
        Pictures.assertPicture(platform.download(job.path("samples").get(0).path("url").asText()), 128, "tiny-sd full sample");

        var fromImage = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"tiny-sd\",\"init_image\":\""
                + java.util.UUID.randomUUID() + "\"}");
        assertEquals(400, fromImage.status(), fromImage.raw());
        assertEquals("model_takes_no_image_input", fromImage.body().path("errors").path(0).path("code").asText(), fromImage.raw());
        var variation = platform.post("/v1/jobs/" + preview + "/variations", "{\"sample\":0}");
        assertEquals(400, variation.status(), variation.raw());
        assertEquals("model_takes_no_image_input", variation.body().path("code").asText(), variation.raw());
    }

    /**
     * tiny-sd declares 48x32 and 32x48 besides its native 32x32 (latents 6x4 and 4x6) and tiny-sr upscales both x4:
     * preview and full jobs at each come back at exactly that size, every half of each a picture (not the native
     * square in a bigger canvas); an upscale of a landscape preview is landscape; a size the package does not
     * declare is refused at submit; the dry run prices a size by its share of the native pixels.
     */
    @Test
    void aLatentPackageDrawsItsNonSquareSizes() {
        var model = platform.get("/v1/models/tiny-sd");
        assertEquals("[\"32x32\",\"48x32\",\"32x48\"]", model.body().path("sizes").toString(), model.raw());
        assertEquals(model.body().path("sizes"), model.body().path("versions").path(0).path("sizes"), model.raw());

        var nativeCost = platform.post("/v1/jobs", "{\"prompt\":\"a red apple\",\"model\":\"tiny-sd\",\"dry_run\":true}");
        var wideCost = platform.post("/v1/jobs",
                "{\"prompt\":\"a red apple\",\"model\":\"tiny-sd\",\"dry_run\":true,\"width\":48,\"height\":32}");
        assertEquals(200, wideCost.status(), wideCost.raw());
        double ratio = wideCost.body().path("estimated_cost_usd").asDouble() / nativeCost.body().path("estimated_cost_usd").asDouble();
        assertEquals(1.5, ratio, 0.02, "48x32 has 1.5 times the pixels of 32x32: " + nativeCost.raw() + " / " + wideCost.raw());

        String widePreview = null;
        for (int[] size : new int[][] {{48, 32}, {32, 48}}) {
            int w = size[0];
            int h = size[1];
            String preview = platform.submit("{\"prompt\":\"a grinning cat\",\"model\":\"tiny-sd\",\"num_samples\":2,"
                    + "\"seed\":5,\"width\":" + w + ",\"height\":" + h + "}");
            JsonNode job = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);
            assertEquals(w, job.path("params").path("width").asInt(), job.toString());
            for (JsonNode s : job.path("samples")) {
                assertEquals("released", s.path("status").asText(), s.toString());
                assertEquals(w, s.path("width").asInt(), s.toString());
                assertEquals(h, s.path("height").asInt(), s.toString());
                Pictures.assertPicture(platform.download(s.path("url").asText()), w, h,
                        "tiny-sd " + w + "x" + h + " preview sample " + s.path("index"));
            }
            if (w > h) {
                widePreview = preview;
            }
            String full = platform.submit("{\"prompt\":\"a red apple\",\"model\":\"tiny-sd\",\"mode\":\"full\",\"seed\":6,"
                    + "\"steps\":7,\"width\":" + w + ",\"height\":" + h + "}");
            job = platform.awaitStatus(full, "succeeded", JOB_TIMEOUT);
            assertEquals("tiny-sd@1+tiny-sr@1", job.path("model_version").asText(), job.toString());
            Pictures.assertPicture(platform.download(job.path("samples").get(0).path("url").asText()), 4 * w, 4 * h,
                    "tiny-sd " + w + "x" + h + " full sample");
        }

        var upscale = platform.post("/v1/jobs/" + widePreview + "/upscale", "{\"sample\":1}");
        assertEquals(202, upscale.status(), upscale.raw());
        JsonNode up = platform.awaitStatus(upscale.body().path("id").asText(), "succeeded", JOB_TIMEOUT);
        Pictures.assertPicture(platform.download(up.path("samples").get(0).path("url").asText()), 192, 128,
                "upscale of a 48x32 preview sample");

        var undeclared = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"tiny-sd\",\"width\":40,\"height\":32}");
        assertEquals(400, undeclared.status(), undeclared.raw());
        assertEquals("size_unavailable", undeclared.body().path("errors").path(0).path("code").asText(), undeclared.raw());
        assertTrue(undeclared.body().path("errors").path(0).path("message").asText().contains("32x32, 48x32, 32x48"), undeclared.raw());
        var v1 = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"tiny-v2\",\"width\":48,\"height\":32}");
        assertEquals(400, v1.status(), v1.raw());
        assertEquals("size_unavailable", v1.body().path("errors").path(0).path("code").asText(), v1.raw());
        var half = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"tiny-sd\",\"width\":48}");
        assertEquals(400, half.status(), half.raw());
        assertEquals("size_incomplete", half.body().path("errors").path(0).path("code").asText(), half.raw());
    }
}
