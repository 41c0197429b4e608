package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genq.storage.provenance.PngChunks;
import dev.genq.storage.provenance.ProvenanceManifest;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Provenance across the services: moderation stamps every released PNG with a signed manifest and an AI-generated
 * XMP mark; anyone verifies it offline with the published key; POST /v1/provenance/verify recognises the exact file,
 * a JPEG re-encode and a 50% copy (with their distance), refuses an unrelated image, sees through an edited manifest,
 * and tells another tenant only that this deployment made it.
 */
class ProvenanceTest {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    final Platform platform = Platform.get();
    /** A seed of its own per test: the pictures differ, so "the nearest picture" is this test's. */
    static final java.util.concurrent.atomic.AtomicLong SEEDS = new java.util.concurrent.atomic.AtomicLong(91);
    String owner;
    String jobId;
    long seed;
    byte[] png;

    @BeforeEach
    void aReleasedSample() {
        owner = platform.newTenant("");
        seed = SEEDS.getAndAdd(10);
        Platform.Reply r = platform.post(owner, "/v1/jobs", "{\"prompt\":\"a red apple\",\"num_samples\":2,\"steps\":4,\"seed\":" + seed + "}");
        assertEquals(202, r.status(), r.raw());
        jobId = r.body().path("id").asText();
        JsonNode job = platform.awaitJob(owner, jobId, TIMEOUT, j -> "succeeded".equals(j.path("status").asText()));
        png = platform.download(job.path("samples").get(0).path("url").asText());
    }

    JsonNode verify(String key, byte[] image) {
        Platform.Reply r = platform.send(HttpRequest.newBuilder(URI.create(platform.gatewayUrl + "/v1/provenance/verify"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
        assertEquals(200, r.status(), r.raw());
        return r.body();
    }

    @Test
    void aReleasedPngCarriesASignedManifestAnyoneCanCheckWithThePublishedKey() throws Exception {
        Map<String, String> texts = PngChunks.texts(png);
        ProvenanceManifest m = ProvenanceManifest.parse(texts.get(ProvenanceManifest.KEYWORD));
        assertEquals(UUID.fromString(jobId), m.job());
        assertEquals(0, m.sample());
        assertEquals("tiny-base@1", m.model());
        assertEquals(seed, m.seed());
        assertTrue(m.verify().endsWith("/v1/provenance/verify"), m.verify());
        assertTrue(texts.get(ProvenanceManifest.XMP_KEYWORD).contains("Iptc4xmpExt:DigitalSourceType=\""
                + ProvenanceManifest.TRAINED_ALGORITHMIC_MEDIA + "\""), "machine-readable AI-generated mark");
        assertFalse(texts.get(ProvenanceManifest.KEYWORD).contains("apple"), "the prompt is not in the file");
        // the signature covers the worker's exact bytes: the sample's stored hash
        byte[] worker = Pictures.withoutProvenance(png);
        assertEquals(platform.text("select sha256 from samples where job_id = ? and idx = 0", UUID.fromString(jobId)),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(worker)));
        assertEquals(m.imageSha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(worker)));

        // offline, as a third party would: the public key from the well-known URL, no API key
        JsonNode keys = platform.send(HttpRequest.newBuilder(URI.create(platform.gatewayUrl + "/.well-known/genq-provenance"))
                .GET().build()).body();
        JsonNode key = null;
        for (JsonNode k : keys.path("keys")) {
            if (k.path("kid").asText().equals(m.kid())) {
                key = k;
            }
        }
        assertTrue(key != null, "the manifest's key is published: " + keys);
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(key.path("public_key").asText()))));
        s.update(texts.get(ProvenanceManifest.KEYWORD).getBytes(StandardCharsets.UTF_8));
        assertTrue(s.verify(Base64.getDecoder().decode(texts.get(ProvenanceManifest.SIGNATURE_KEYWORD))));
    }

    @Test
    void theExactFileAJpegCopyAndAHalfSizeCopyAreRecognisedAndAnUnrelatedImageIsNot() throws Exception {
        JsonNode exact = verify(owner, png);
        assertEquals("exact", exact.path("match").asText(), exact.toString());
        assertEquals("valid", exact.path("signature").asText());
        assertEquals(jobId, exact.path("origin").path("job_id").asText());
        assertEquals("tiny-base@1", exact.path("manifest").path("model").asText());

        BufferedImage picture = ImageIO.read(new ByteArrayInputStream(png));
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(picture, "jpg", jpeg);
        JsonNode fromJpeg = verify(owner, jpeg.toByteArray());
        assertEquals("perceptual", fromJpeg.path("match").asText(), fromJpeg.toString());
        assertEquals("absent", fromJpeg.path("signature").asText());
        assertEquals(jobId, fromJpeg.path("origin").path("job_id").asText());
        assertEquals(0, fromJpeg.path("origin").path("sample").asInt());
        assertTrue(fromJpeg.path("distance").asInt() <= fromJpeg.path("max_distance").asInt());

        BufferedImage half = new BufferedImage(picture.getWidth() / 2, picture.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
        half.createGraphics().drawImage(picture.getScaledInstance(half.getWidth(), half.getHeight(), Image.SCALE_SMOOTH), 0, 0, null);
        ByteArrayOutputStream halfPng = new ByteArrayOutputStream();
        ImageIO.write(half, "png", halfPng);
        JsonNode fromHalf = verify(owner, halfPng.toByteArray());
        assertEquals("perceptual", fromHalf.path("match").asText(), fromHalf.toString());
        assertEquals(jobId, fromHalf.path("origin").path("job_id").asText());
        assertEquals(0, fromHalf.path("origin").path("sample").asInt());
        System.out.printf("provenance distances (of 176 bits): jpeg %d, half size %d%n", fromJpeg.path("distance").asInt(),
                fromHalf.path("distance").asInt());

        BufferedImage unrelated = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                unrelated.setRGB(x, y, ((x * 4) << 16) | ((255 - y * 4) << 8) | 0x40);
            }
        }
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        ImageIO.write(unrelated, "png", other);
        JsonNode none = verify(owner, other.toByteArray());
        assertEquals("none", none.path("match").asText(), none.toString());
        assertFalse(none.path("made_by_this_deployment").asBoolean());

        Platform.Reply notAnImage = platform.send(HttpRequest.newBuilder(URI.create(platform.gatewayUrl + "/v1/provenance/verify"))
                .header("Authorization", "Bearer " + owner).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build());
        assertEquals(400, notAnImage.status());
        assertEquals("not_an_image", notAnImage.body().path("code").asText());
    }

    @Test
    void anEditedManifestFailsItsSignatureAndAnotherTenantLearnsOnlyThatThisDeploymentMadeIt() {
        // the seed changed in the manifest, the signature kept: not valid, and the file is judged by its pixels alone
        Map<String, String> texts = PngChunks.texts(png);
        String edited = texts.get(ProvenanceManifest.KEYWORD).replace("\"seed\":" + seed, "\"seed\":" + (seed + 1));
        assertNotEquals(texts.get(ProvenanceManifest.KEYWORD), edited);
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put(ProvenanceManifest.KEYWORD, edited);
        forged.put(ProvenanceManifest.SIGNATURE_KEYWORD, texts.get(ProvenanceManifest.SIGNATURE_KEYWORD));
        byte[] tampered = PngChunks.withText(PngChunks.without(png, ProvenanceManifest.KEYWORDS), forged);
        JsonNode check = verify(owner, tampered);
        assertEquals("invalid", check.path("signature").asText(), check.toString());
        assertNotEquals("exact", check.path("match").asText());
        assertTrue(check.path("manifest").isMissingNode(), "an unsigned claim is not repeated: " + check);

        String stranger = platform.newTenant("");
        JsonNode seen = verify(stranger, png);
        assertEquals("exact", seen.path("match").asText());
        assertTrue(seen.path("made_by_this_deployment").asBoolean());
        assertTrue(seen.path("origin").isMissingNode(), "another tenant's job is not named: " + seen);

        // the AI-generated mark is signed too: a file whose XMP packet was swapped is not an exact match
        Map<String, String> swapped = new LinkedHashMap<>(texts);
        swapped.put(ProvenanceManifest.XMP_KEYWORD, texts.get(ProvenanceManifest.XMP_KEYWORD).replace("trainedAlgorithmicMedia", "digitalCapture"));
        JsonNode markSwapped = verify(owner, PngChunks.withText(PngChunks.without(png, ProvenanceManifest.KEYWORDS), swapped));
        assertEquals("invalid", markSwapped.path("signature").asText(), markSwapped.toString());
        // and bytes appended after IEND change what the file is
        byte[] appended = java.util.Arrays.copyOf(png, png.length + 4);
        assertEquals("invalid", verify(owner, appended).path("signature").asText());
        assertTrue(seen.path("note").asText().contains("made by this deployment"), seen.toString());
        assertFalse(seen.toString().contains(jobId), "the job id is not in the answer: " + seen);
    }
}
