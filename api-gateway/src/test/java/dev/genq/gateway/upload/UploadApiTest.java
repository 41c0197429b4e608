package dev.genq.gateway.upload;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Job;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.upload.Upload;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/uploads: a PNG, JPEG or WebP is stored normalised and waits for moderation's scan; anything else is
 * refused with a stable code and stores nothing. Jobs use only their tenant's accepted uploads.
 */
@QuarkusTest
class UploadApiTest {
    @Inject
    ObjectStore store;

    static String upload(byte[] body, String contentType) {
        return given().contentType(contentType).body(body).when().post("/v1/uploads").then().statusCode(201)
                .body("status", equalTo("scanning")).body("created_at", org.hamcrest.Matchers.notNullValue()).extract().path("id");
    }

    static void setStatus(String id, String status) {
        QuarkusTransaction.requiringNew().run(() -> Upload.getEntityManager()
                .createNativeQuery("update uploads set status = ?1 where id = ?2")
                .setParameter(1, status).setParameter(2, UUID.fromString(id)).executeUpdate());
    }

    long uploads() {
        return QuarkusTransaction.requiringNew().call(() -> Upload.count());
    }

    long jobs() {
        return QuarkusTransaction.requiringNew().call(() -> Job.count());
    }

    int objects() {
        return store.list(Buckets.UPLOADS, "").size();
    }

    BufferedImage stored(String id) throws Exception {
        Upload u = QuarkusTransaction.requiringNew().call(() -> Upload.<Upload>findById(UUID.fromString(id)));
        return ImageIO.read(new ByteArrayInputStream(store.get(Buckets.UPLOADS, u.objectKey)));
    }

    @Test
    void eachFormatIsStoredAsAnOpaqueSrgbPngOfItsSize() throws Exception {
        String png = upload(UploadFixtures.disk("png", 40, 30, true), "image/png");
        given().when().get("/v1/uploads/" + png).then().statusCode(200).body("format", equalTo("png"))
                .body("width", equalTo(40)).body("height", equalTo(30)).body("status", equalTo("scanning"))
                .body("expires_at", org.hamcrest.Matchers.notNullValue());
        BufferedImage normalised = stored(png);
        assertEquals(40, normalised.getWidth());
        assertEquals(false, normalised.getColorModel().hasAlpha(), "alpha is composited away");
        assertEquals(0xFFFFFF, normalised.getRGB(0, 0) & 0xFFFFFF, "a transparent corner is white");
        assertEquals(0x28A03C, normalised.getRGB(20, 15) & 0xFFFFFF, "the disk keeps its colour");

        String jpeg = upload(UploadFixtures.disk("jpeg", 64, 48, false), "image/jpeg");
        given().when().get("/v1/uploads/" + jpeg).then().body("format", equalTo("jpeg")).body("width", equalTo(64));
        int centre = stored(jpeg).getRGB(32, 24);
        assertEquals(true, ((centre >> 8) & 0xFF) > 120 && ((centre >> 16) & 0xFF) < 90, "a JPEG decodes to its green disk");

        // the format is read from the bytes: a WebP sent as application/octet-stream is a WebP
        String webp = upload(UploadFixtures.resource("disk-lossless.webp"), "application/octet-stream");
        given().when().get("/v1/uploads/" + webp).then().body("format", equalTo("webp")).body("height", equalTo(40));
        assertEquals(0x28A03C, stored(webp).getRGB(24, 20) & 0xFFFFFF, "a lossless WebP decodes exactly");
        BufferedImage lossy = stored(upload(UploadFixtures.resource("disk-lossy.webp"), "image/webp"));
        assertEquals(true, ((lossy.getRGB(24, 20) >> 8) & 0xFF) > 120, "a lossy WebP decodes to its green disk");
    }

    @Test
    void aMultipartFormWorksLikeTheRawBody() throws Exception {
        String id = given().multiPart("file", "disk.png", UploadFixtures.disk("png", 24, 24, false), "image/png")
                .when().post("/v1/uploads").then().statusCode(201).body("format", equalTo("png"))
                .body("width", equalTo(24)).extract().path("id");
        assertEquals(24, stored(id).getHeight());
        long rows = uploads();
        given().multiPart("file", "x.png", "not an image".getBytes(), "image/png").when().post("/v1/uploads").then()
                .statusCode(400).body("code", equalTo("not_an_image"));
        given().multiPart("other", "x.png", UploadFixtures.disk("png", 24, 24, false), "image/png").when().post("/v1/uploads")
                .then().statusCode(400).body("code", equalTo("file_required"));
        assertEquals(rows, uploads());
    }

    @Test
    void refusedUploadsGetAStableCodeAndStoreNothing() {
        long rows = uploads();
        int objects = objects();
        byte[] png = UploadFixtures.disk("png", 32, 32, false);
        Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        refused.put("not_an_image", "{\"prompt\":\"not an image\"}".getBytes());
        refused.put("image_truncated", java.util.Arrays.copyOf(png, png.length / 2));
        refused.put("image_too_large", UploadFixtures.png(20000, 20000));
        refused.put("animated_image", UploadFixtures.animatedPng());
        refused.put("unsupported_image_format", UploadFixtures.gif());
        refused.put("body_too_large", new byte[8 * 1024 * 1024 + 1]);
        for (var e : refused.entrySet()) {
            given().contentType("image/png").body(e.getValue()).when().post("/v1/uploads").then()
                    .statusCode(400).contentType("application/problem+json").body("code", equalTo(e.getKey()));
        }
        // 1 GiB of pixel data deflated to about a megabyte: refused on its header, never inflated
        byte[] bomb = UploadFixtures.deflateBomb(16384, 16384);
        org.junit.jupiter.api.Assertions.assertTrue(bomb.length < 8 * 1024 * 1024, "the bomb fits the byte limit: " + bomb.length);
        given().contentType("image/png").body(bomb).when().post("/v1/uploads").then().statusCode(400)
                .body("code", equalTo("image_too_large"));
        given().contentType("image/webp").body(UploadFixtures.resource("animated.webp")).when().post("/v1/uploads").then()
                .statusCode(400).body("code", equalTo("animated_image"));
        assertEquals(rows, uploads(), "no row for a refused upload");
        assertEquals(objects, objects(), "no object for a refused upload");
    }

    @Test
    void anotherTenantsUploadIsNotFoundAndCannotBeUsed() {
        String mine = upload(UploadFixtures.disk("png", 32, 32, false), "image/png");
        setStatus(mine, "accepted");
        String other = TestKeys.newTenantKey("client");
        TestKeys.as(other).when().get("/v1/uploads/" + mine).then().statusCode(404).body("code", equalTo("upload_not_found"));
        long before = jobs();
        TestKeys.as(other).contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"init_image\":\"" + mine + "\"}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("upload_not_found"))
                .body("field", equalTo("init_image"));
        assertEquals(before, jobs());
        given().when().get("/v1/uploads/not-a-uuid").then().statusCode(404).body("code", equalTo("upload_not_found"));
    }

    @Test
    void aJobUsesAnAcceptedUploadOnlyAndRunsTheStrengthsShare() {
        String image = upload(UploadFixtures.disk("png", 32, 32, false), "image/png");
        String mask = upload(UploadFixtures.disk("png", 32, 32, false), "image/png");
        long before = jobs();
        String body = "{\"prompt\":\"a green apple\",\"steps\":10,\"init_image\":\"" + image + "\"}";
        given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(409)
                .header("Retry-After", "1").body("code", equalTo("upload_not_scanned"));
        setStatus(image, "in_review");
        given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(409)
                .body("code", equalTo("upload_in_review"));
        given().when().get("/v1/uploads/" + image).then().body("status", equalTo("in_review"));
        setStatus(image, "flagged");
        given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(422)
                .body("code", equalTo("input_flagged"));
        assertEquals(before, jobs(), "nothing created for an unscanned, held or flagged input");

        setStatus(image, "accepted");
        given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(202)
                .body("params.init_image", equalTo(image)).body("params.strength", equalTo(0.75f));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a green apple\",\"init_image\":\"" + image + "\",\"strength\":0.3,"
                + "\"mask_image\":\"" + mask + "\"}").when().post("/v1/jobs").then().statusCode(409).body("code", equalTo("upload_not_scanned"));
        setStatus(mask, "accepted");
        String wide = upload(UploadFixtures.disk("png", 48, 32, false), "image/png");
        setStatus(wide, "accepted");
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a green apple\",\"init_image\":\"" + image + "\",\"mask_image\":\""
                + wide + "\"}").when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("mask_size_mismatch"));
        String id = given().contentType(ContentType.JSON).body("{\"prompt\":\"a green apple\",\"init_image\":\"" + image
                        + "\",\"strength\":0.3,\"mask_image\":\"" + mask + "\"}").when().post("/v1/jobs").then().statusCode(202)
                .body("params.mask_image", equalTo(mask)).body("params.strength", equalTo(0.3f)).extract().path("id");
        assertEquals(before + 2, jobs());
        Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(UUID.fromString(id)));
        assertEquals(UUID.fromString(image), job.initUpload);
        assertEquals(UUID.fromString(mask), job.maskUpload);
    }

    @Test
    void imageFieldsAreValidatedTogether() {
        long before = jobs();
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"strength\":0.5}").when().post("/v1/jobs").then()
                .statusCode(400).body("code", equalTo("init_image_required")).body("field", equalTo("strength"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"mask_image\":\"" + UUID.randomUUID() + "\"}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("init_image_required"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"init_image\":\"" + UUID.randomUUID() + "\",\"strength\":1.5}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("strength_out_of_range"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"init_image\":\"" + UUID.randomUUID() + "\"}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("upload_not_found"));
        assertEquals(before, jobs());
    }

    @Test
    void outpaintingNeedsAnInitImageMarginsAndACanvasWithinTheLimits() {
        String image = upload(UploadFixtures.disk("png", 64, 32, false), "image/png");
        setStatus(image, "accepted");
        long before = jobs();
        String init = "\"init_image\":\"" + image + "\"";
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"outpaint\":{\"left\":8}}").when().post("/v1/jobs").then()
                .statusCode(400).body("code", equalTo("init_image_required")).body("field", equalTo("outpaint"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"outpaint\":{}}").when().post("/v1/jobs").then()
                .statusCode(400).body("code", equalTo("outpaint_out_of_range"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"outpaint\":{\"left\":-1,\"top\":4}}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("outpaint_out_of_range"));
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"mask_image\":\"" + image
                + "\",\"outpaint\":{\"top\":4}}").when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("outpaint_and_mask"));
        // 64 + 4000 + 100 is over the 4096-pixel side the worker would have to build
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"outpaint\":{\"left\":4000,\"right\":100}}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("outpaint_out_of_range"));
        // 64x32 and 8 px to the left is 72x32: the model's square crop would drop the margin
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"outpaint\":{\"left\":8}}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("outpaint_not_square"));
        assertEquals(before, jobs());
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\"," + init + ",\"outpaint\":{\"top\":16,\"bottom\":16}}")
                .when().post("/v1/jobs").then().statusCode(202).body("params.outpaint.top", equalTo(16))
                .body("params.outpaint.left", equalTo(0)).body("params.strength", equalTo(1.0f));
    }
}
