package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.gateway.model.ModelsApiTest;
import dev.genq.gateway.quota.QuotaTest;
import dev.genq.storage.job.ImageSize;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Per-job {@code width}/{@code height}: one of the sizes every served version of the model declares, checked at
 * submit with a stable code; stored on the job and shown back; priced by its share of the native pixels.
 */
@QuarkusTest
class JobSizesTest {
    static final List<ImageSize> SIZES = List.of(ImageSize.square(32), new ImageSize(48, 32), new ImageSize(32, 48));

    final EntityManager em;

    JobSizesTest(EntityManager em) {
        this.em = em;
    }

    static io.restassured.response.Response post(String key, String body) {
        return as(key).contentType(ContentType.JSON).body(body).when().post("/v1/jobs");
    }

    static String sizedModel() throws InterruptedException {
        String model = "sized-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> ModelEntry.register(model, "1", Stage.BASE.modelKind(), 32, 100,
                List.of("ddim"), 4, 3.0, "ddim", "MIT", true, SIZES));
        ModelsApiTest.awaitSubmit("{\"prompt\":\"warm up\",\"model\":\"" + model + "\"}"); // listed within 2 s
        return model;
    }

    @Test
    void aDeclaredSizeIsAcceptedStoredAndShownBack() throws InterruptedException {
        String model = sizedModel();
        as(dev.genq.gateway.TestKeys.CLIENT).when().get("/v1/models/" + model).then().statusCode(200)
                .body("sizes", equalTo(List.of("32x32", "48x32", "32x48")))
                .body("versions[0].sizes", equalTo(List.of("32x32", "48x32", "32x48")));
        String id = post(dev.genq.gateway.TestKeys.CLIENT, "{\"prompt\":\"a wide apple\",\"model\":\"" + model
                + "\",\"width\":48,\"height\":32}").then().statusCode(202).extract().path("id");
        Object[] row = QuarkusTransaction.requiringNew().call(() -> (Object[]) em.createNativeQuery(
                "select width, height from jobs where id = ?1").setParameter(1, UUID.fromString(id)).getSingleResult());
        assertEquals(48, ((Number) row[0]).intValue());
        assertEquals(32, ((Number) row[1]).intValue());
        as(dev.genq.gateway.TestKeys.CLIENT).when().get("/v1/jobs/" + id).then().statusCode(200)
                .body("params.width", equalTo(48)).body("params.height", equalTo(32));
    }

    @Test
    void anUndeclaredOrHalfGivenSizeIsRefusedAndCreatesNothing() throws InterruptedException {
        String model = sizedModel();
        QuotaTest.Tenant t = QuotaTest.tenant(Map.of(), Map.of());
        String base = "{\"prompt\":\"x\",\"model\":\"" + model + "\"";
        post(t.key(), base + ",\"width\":64,\"height\":32}").then().statusCode(400)
                .body("errors[0].field", equalTo("width")).body("errors[0].code", equalTo("size_unavailable"))
                .body("errors[0].message", containsString("32x32, 48x32, 32x48, not 64x32"));
        post(t.key(), base + ",\"height\":32}").then().statusCode(400)
                .body("errors[0].field", equalTo("width")).body("errors[0].code", equalTo("size_incomplete"));
        post(t.key(), base + ",\"width\":0,\"height\":32}").then().statusCode(400)
                .body("errors[0].code", equalTo("size_unavailable"));
        // an image input runs at the native square; a full job needs a super-resolution model that upscales the
        // size (the fixture catalog's tiny-sr declares only its native 128x128)
        post(t.key(), base + ",\"width\":48,\"height\":32,\"init_image\":\"" + UUID.randomUUID() + "\"}").then().statusCode(400)
                .body("errors.code", org.hamcrest.Matchers.hasItem("size_unavailable"))
                .body("errors.message", org.hamcrest.Matchers.hasItem(containsString("native size 32x32")));
        post(t.key(), base + ",\"width\":48,\"height\":32,\"mode\":\"full\"}").then().statusCode(400)
                .body("errors[0].code", equalTo("size_unavailable"))
                .body("errors[0].message", containsString("no super-resolution model upscales 48x32"));
        long jobs = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where tenant_id = ?1").setParameter(1, UUID.fromString(t.id())).getSingleResult()).longValue());
        assertEquals(0, jobs, "a refused size creates nothing");
    }

    /** A job is pinned to stable or canary, so a size is offered only while every served version draws it. */
    @Test
    void aSizeIsOfferedOnlyWhileEveryVersionDrawsIt() throws InterruptedException {
        String model = sizedModel();
        QuarkusTransaction.requiringNew().run(() -> ModelEntry.register(model, "2", Stage.BASE.modelKind(), 32, 100,
                List.of("ddim"), 4, 3.0, "ddim", "MIT", true, List.of(ImageSize.square(32), new ImageSize(32, 48))));
        String body = "{\"prompt\":\"x\",\"model\":\"" + model + "\",\"width\":48,\"height\":32}";
        long deadline = System.nanoTime() + 30_000_000_000L; // the catalog is re-read every 2 s
        io.restassured.response.Response r;
        do {
            r = post(dev.genq.gateway.TestKeys.CLIENT, body);
        } while (r.statusCode() == 202 && System.nanoTime() < deadline && sleep());
        r.then().statusCode(400).body("errors[0].code", equalTo("size_unavailable"));
        as(dev.genq.gateway.TestKeys.CLIENT).when().get("/v1/models/" + model).then().statusCode(200)
                .body("sizes", equalTo(List.of("32x32", "32x48")));
        post(dev.genq.gateway.TestKeys.CLIENT, "{\"prompt\":\"x\",\"model\":\"" + model + "\",\"width\":32,\"height\":48}")
                .then().statusCode(202);
    }

    @Test
    void aDryRunPricesASizeByItsShareOfTheNativePixels() throws InterruptedException {
        String model = sizedModel();
        String body = "{\"prompt\":\"a dry run\",\"model\":\"" + model + "\",\"num_samples\":2,\"steps\":10,\"dry_run\":true";
        BigDecimal square = post(dev.genq.gateway.TestKeys.CLIENT, body + "}").then().statusCode(200).extract()
                .jsonPath().getObject("estimated_cost_usd", BigDecimal.class);
        BigDecimal wide = post(dev.genq.gateway.TestKeys.CLIENT, body + ",\"width\":48,\"height\":32}").then().statusCode(200)
                .extract().jsonPath().getObject("estimated_cost_usd", BigDecimal.class);
        // no history: 2 x 10 x the configured 0.000001 USD per sample-step, times 48*32/32^2 = 1.5
        assertEquals(0, new BigDecimal("0.00002").compareTo(square), square.toPlainString());
        assertEquals(0, new BigDecimal("0.00003").compareTo(wide.round(MathContext.DECIMAL32)), wide.toPlainString());
    }

    private static boolean sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
