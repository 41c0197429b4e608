package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Image inputs across the three services: an upload is scanned by moderation, then a job starts from it
 * (image-to-image) or redraws only its mask's white part (inpainting). Strength 0 gives the upload's pixels
 * back, strength 1 the text-to-image job of the same seed; unmasked pixels are kept exactly. A flagged upload
 * is refused at submit and, should a job name one anyway, the worker fails that job without running it.
 */
class ImageInputsTest {
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    /** A shaded disk of {@code colour} on white, w×h. */
    static BufferedImage disk(Color colour, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot((x - (w - 1) / 2.0) / (w / 2.0), (y - (h - 1) / 2.0) / (h / 2.0));
                double shade = 1.0 - 0.2 * d;
                img.setRGB(x, y, d > 0.95 ? 0xFFFFFF : new Color((int) (colour.getRed() * shade), (int) (colour.getGreen() * shade),
                        (int) (colour.getBlue() * shade)).getRGB());
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    static BufferedImage decode(byte[] png) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    /** Uploads and waits (bounded) for moderation's verdict; returns the upload's view. */
    JsonNode uploadScanned(byte[] image, String contentType) {
        Platform.Reply r = platform.upload(image, contentType);
        assertEquals(201, r.status(), r.raw());
        String id = r.body().path("id").asText();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode view = r.body();
        while (System.nanoTime() < deadline && view.path("status").asText().equals("scanning")) {
            Platform.sleep(100);
            view = platform.get("/v1/uploads/" + id).body();
        }
        assertNotEquals("scanning", view.path("status").asText(), "scanned within " + TIMEOUT);
        return view;
    }

    BufferedImage sample(JsonNode job, int i) throws Exception {
        return decode(platform.download(job.path("samples").get(i).path("url").asText()));
    }

    @Test
    void imageToImageStartsFromTheUploadAndInpaintingKeepsEveryUnmaskedPixel() throws Exception {
        BufferedImage source = disk(new Color(40, 170, 70), 32, 32);
        JsonNode upload = uploadScanned(encode(source, "png"), "image/png");
        assertEquals("accepted", upload.path("status").asText(), upload.toString());
        String init = upload.path("id").asText();

        JsonNode zero = platform.awaitStatus(platform.submit("{\"prompt\":\"a green apple\",\"steps\":12,\"init_image\":\"" + init
                + "\",\"strength\":0}"), "succeeded", TIMEOUT);
        assertSamePixels(source, sample(zero, 0), "strength 0 gives the upload back");
        assertEquals(0.0, zero.path("cost").path("compute_seconds").asDouble(), "no step ran, none is billed");

        JsonNode one = platform.awaitStatus(platform.submit("{\"prompt\":\"a green apple\",\"steps\":12,\"seed\":321,\"init_image\":\""
                + init + "\",\"strength\":1}"), "succeeded", TIMEOUT);
        JsonNode text = platform.awaitStatus(platform.submit("{\"prompt\":\"a green apple\",\"steps\":12,\"seed\":321}"),
                "succeeded", TIMEOUT);
        assertSamePixels(sample(text, 0), sample(one, 0), "strength 1 is the text-to-image job of the same seed");

        String halfId = platform.submit("{\"prompt\":\"a green apple\",\"steps\":12,\"num_samples\":2,\"seed\":5,\"init_image\":\""
                + init + "\",\"strength\":0.5}");
        JsonNode half = platform.awaitStatus(halfId, "succeeded", TIMEOUT);
        assertEquals(6, platform.count("select steps_done from jobs where id = ?", UUID.fromString(halfId)), "half the steps ran");
        for (int i = 0; i < 2; i++) {
            Pictures.assertPicture(platform.download(half.path("samples").get(i).path("url").asText()), 32, "image-to-image " + i);
            assertTrue(differing(source, sample(half, i)) > 32, "strength 0.5 changed the picture");
        }

        // inpainting: white is redrawn, black kept
        BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(8, 8, 16, 12);
        g.dispose();
        JsonNode maskUpload = uploadScanned(encode(mask, "png"), "image/png");
        assertEquals("accepted", maskUpload.path("status").asText());
        JsonNode inpainted = platform.awaitStatus(platform.submit("{\"prompt\":\"a red apple\",\"steps\":12,\"seed\":8,\"init_image\":\""
                + init + "\",\"mask_image\":\"" + maskUpload.path("id").asText() + "\",\"strength\":1}"), "succeeded", TIMEOUT);
        BufferedImage after = sample(inpainted, 0);
        int changedInside = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = x >= 8 && x < 24 && y >= 8 && y < 20;
                if (!inside) {
                    assertEquals(source.getRGB(x, y), after.getRGB(x, y), "unmasked pixel " + x + "," + y + " is kept exactly");
                } else if (source.getRGB(x, y) != after.getRGB(x, y)) {
                    changedInside++;
                }
            }
        }
        assertTrue(changedInside > 16 * 12 / 2, "the masked part was redrawn: " + changedInside + " pixels changed");
    }

    @Test
    void anyFormatAndShapeIsCroppedAndResizedToTheModel() throws Exception {
        JsonNode jpeg = uploadScanned(encode(disk(new Color(200, 180, 40), 96, 64), "jpeg"), "image/jpeg");
        assertEquals("accepted", jpeg.path("status").asText());
        assertEquals(96, jpeg.path("width").asInt());
        JsonNode job = platform.awaitStatus(platform.submit("{\"prompt\":\"a yellow star\",\"steps\":12,\"init_image\":\""
                + jpeg.path("id").asText() + "\",\"strength\":0}"), "succeeded", TIMEOUT);
        BufferedImage out = sample(job, 0);
        assertEquals(32, out.getWidth());
        // the centred 64x64 square averaged down 2x2: its centre is the disk's yellow, its corners the disk's edge
        Color centre = new Color(out.getRGB(16, 16));
        assertTrue(centre.getRed() > 150 && centre.getGreen() > 130 && centre.getBlue() < 80, "the disk's colour: " + centre);
    }

    @Test
    void outpaintingDrawsTheMarginsAndKeepsTheUploadsArea() throws Exception {
        BufferedImage source = disk(new Color(40, 170, 70), 32, 32);
        JsonNode upload = uploadScanned(encode(source, "png"), "image/png");
        assertEquals("accepted", upload.path("status").asText(), upload.toString());
        // 16 px on every side: a 64x64 canvas, fitted 2:1, the upload in its centre 16x16
        JsonNode job = platform.awaitStatus(platform.submit("{\"prompt\":\"a green apple\",\"steps\":12,\"seed\":3,\"init_image\":\""
                + upload.path("id").asText() + "\",\"outpaint\":{\"left\":16,\"top\":16,\"right\":16,\"bottom\":16}}"), "succeeded", TIMEOUT);
        assertEquals(1.0, job.path("params").path("strength").asDouble(), "outpainting starts the margins from noise");
        BufferedImage out = sample(job, 0);
        int marginChanged = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                if (x >= 8 && x < 24 && y >= 8 && y < 24) {
                    assertEquals(average2x2(source, 2 * (x - 8), 2 * (y - 8)), out.getRGB(x, y) & 0xFFFFFF,
                            "the upload's area is the upload, averaged 2:1, at " + x + "," + y);
                } else if ((out.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    marginChanged++;
                }
            }
        }
        assertTrue(marginChanged > (32 * 32 - 16 * 16) / 2, "the margins were drawn, not left white: " + marginChanged);
    }

    static int average2x2(BufferedImage img, int x, int y) {
        int[] sum = new int[3];
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                int rgb = img.getRGB(x + dx, y + dy);
                sum[0] += (rgb >> 16) & 0xFF;
                sum[1] += (rgb >> 8) & 0xFF;
                sum[2] += rgb & 0xFF;
            }
        }
        return ((sum[0] + 2) / 4) << 16 | ((sum[1] + 2) / 4) << 8 | ((sum[2] + 2) / 4);
    }

    @Test
    void aFlaggedUploadIsRefusedAndNeverReachesAWorker() throws Exception {
        // the fixture classifier reads a red picture as "weapon", which the policy quarantines
        JsonNode red = uploadScanned(encode(disk(Color.RED, 32, 32), "png"), "image/png");
        assertEquals("flagged", red.path("status").asText(), red.toString());
        assertTrue(red.path("reasons").asText().contains("weapon"), red.toString());
        Platform.Reply refused = platform.post("/v1/jobs", "{\"prompt\":\"an apple\",\"init_image\":\"" + red.path("id").asText() + "\"}");
        assertEquals(422, refused.status(), refused.raw());
        assertEquals("input_flagged", refused.body().path("code").asText());

        // a job row naming it anyway (as if it had been flagged after submit) is failed by the worker, unrun
        String template = platform.submit("{\"prompt\":\"an apple\",\"steps\":4}");
        platform.awaitStatus(template, "succeeded", TIMEOUT);
        UUID id = UUID.randomUUID();
        try (Connection c = platform.db()) {
            c.setAutoCommit(false);
            try (PreparedStatement job = c.prepareStatement("""
                    insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model,
                                      strength, init_upload)
                    select ?, tenant_id, 'queued', mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model, 0.5, ?
                    from jobs where id = ?""");
                 PreparedStatement message = c.prepareStatement("""
                    insert into outbox (tenant_id, topic, message_key, payload) select tenant_id, 'genq.jobs.preview', ?, ?
                    from jobs where id = ?""")) {
                job.setObject(1, id);
                job.setObject(2, UUID.fromString(red.path("id").asText()));
                job.setObject(3, UUID.fromString(template));
                assertEquals(1, job.executeUpdate());
                UUID tenant = UUID.fromString(platform.text("select cast(tenant_id as text) from jobs where id = ?", UUID.fromString(template)));
                message.setString(1, id.toString());
                message.setString(2, EventCodec.encode(new JobRequested(id, tenant, "preview", Instant.now())));
                message.setObject(3, id);
                assertEquals(1, message.executeUpdate());
            }
            c.commit();
        }
        JsonNode failed = platform.awaitStatus(id.toString(), "failed", TIMEOUT);
        assertEquals("input_unavailable", failed.path("error").path("code").asText(), failed.toString());
        assertEquals(0, platform.count("select count(*) from samples where job_id = ?", id), "nothing was generated");
        assertEquals(0, platform.count("select steps_done from jobs where id = ?", id), "no step ran");
    }

    static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(0, differing(expected, actual), what);
    }

    static int differing(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xFFFFFF) != (b.getRGB(x, y) & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }
}
