package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Variations across the three services: the worker reads the released parent sample back from storage and
 * denoises its strength's share of the steps. Strength 0 gives back the very bytes the client downloaded,
 * strength 1 the text-to-image job of the same seed; in between it runs and is billed for that share.
 */
class VariationsTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    String vary(String parent, String body) {
        Platform.Reply r = platform.post("/v1/jobs/" + parent + "/variations", body);
        assertEquals(202, r.status(), r.raw());
        assertEquals(parent, r.body().path("parent_id").asText());
        return r.body().path("id").asText();
    }

    String sha(JsonNode job, int sample) throws Exception {
        // the worker's bytes: each job's provenance chunks name that job
        byte[] png = Pictures.withoutProvenance(platform.download(job.path("samples").get(sample).path("url").asText()));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(png));
    }

    @Test
    void strengthZeroIsTheParentsBytesOneIsTextToImageAndHalfRunsHalfTheSteps() throws Exception {
        String preview = platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":2,\"seed\":70,\"steps\":12}");
        JsonNode parent = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);

        JsonNode zero = platform.awaitStatus(vary(preview, "{\"sample\":1,\"strength\":0,\"num_samples\":1}"), "succeeded", JOB_TIMEOUT);
        assertEquals(sha(parent, 1), sha(zero, 0), "strength 0: the parent sample's bytes, through decode and encode");
        assertEquals(0.0, zero.path("cost").path("compute_seconds").asDouble(), "no step ran, none is billed");

        JsonNode one = platform.awaitStatus(vary(preview, "{\"sample\":1,\"strength\":1,\"num_samples\":1,\"seed\":555}"),
                "succeeded", JOB_TIMEOUT);
        JsonNode fresh = platform.awaitStatus(platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":1,\"seed\":555,\"steps\":12}"),
                "succeeded", JOB_TIMEOUT);
        assertEquals(sha(fresh, 0), sha(one, 0), "strength 1: the text-to-image job of the same seed");

        String halfId = vary(preview, "{\"sample\":0,\"strength\":0.5,\"seed\":9}");
        JsonNode half = platform.awaitStatus(halfId, "succeeded", JOB_TIMEOUT);
        assertEquals(2, half.path("samples").size(), "the parent's number of samples by default");
        for (int i = 0; i < 2; i++) {
            Pictures.assertPicture(platform.download(half.path("samples").get(i).path("url").asText()), 32, "variation " + i);
            assertNotEquals(sha(parent, 0), sha(half, i), "a variation at 0.5 is not its parent");
        }
        assertEquals(6, platform.count("select steps_done from jobs where id = ?", UUID.fromString(halfId)),
                "half of the parent's 12 steps ran");
        assertEquals(2, platform.count("select count(*) from sample_costs where job_id = ?", UUID.fromString(halfId)));
        // the same variation again is the same bytes: the source is the stored sample, the noise the seed's
        JsonNode again = platform.awaitStatus(vary(preview, "{\"sample\":0,\"strength\":0.5,\"seed\":9}"), "succeeded", JOB_TIMEOUT);
        assertEquals(sha(half, 1), sha(again, 1));
    }

    @Test
    void aRegionVariationRedrawsTheRectangleAndKeepsEveryOtherPixel() throws Exception {
        String preview = platform.submit("{\"prompt\":\"a blue star\",\"num_samples\":1,\"seed\":71,\"steps\":12}");
        JsonNode parent = platform.awaitStatus(preview, "succeeded", JOB_TIMEOUT);
        String id = vary(preview, "{\"sample\":0,\"preset\":\"strong\",\"num_samples\":1,\"region\":{\"x\":8,\"y\":8,\"width\":16,\"height\":12}}");
        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        assertEquals(16, job.path("params").path("region").path("width").asInt());
        java.awt.image.BufferedImage before = Pictures.assertPicture(platform.download(parent.path("samples").get(0).path("url").asText()), 32, "parent");
        java.awt.image.BufferedImage after = Pictures.assertPicture(platform.download(job.path("samples").get(0).path("url").asText()), 32, "region variation");
        int changedInside = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = x >= 8 && x < 24 && y >= 8 && y < 20;
                if (!inside) {
                    assertEquals(before.getRGB(x, y), after.getRGB(x, y), "pixel " + x + "," + y + " outside the region is kept");
                } else if (before.getRGB(x, y) != after.getRGB(x, y)) {
                    changedInside++;
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(changedInside > 16 * 12 / 4, "the region was redrawn: " + changedInside + " pixels changed");
    }
}
