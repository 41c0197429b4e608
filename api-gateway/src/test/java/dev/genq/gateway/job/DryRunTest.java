package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.gateway.model.ModelsApiTest;
import dev.genq.gateway.quota.QuotaTest;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code "dry_run": true}: every check of a submit, the expected cost and wait, and nothing created or reserved. */
@QuarkusTest
class DryRunTest {
    final EntityManager em;

    DryRunTest(EntityManager em) {
        this.em = em;
    }

    long jobsOf(String tenant) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where tenant_id = ?1").setParameter(1, UUID.fromString(tenant)).getSingleResult()).longValue());
    }

    BigDecimal priceFactor(String job) {
        return QuarkusTransaction.requiringNew().call(() -> (BigDecimal) em.createNativeQuery(
                "select price_factor from jobs where id = ?1").setParameter(1, UUID.fromString(job)).getSingleResult());
    }

    static io.restassured.response.Response post(String key, String body) {
        return as(key).contentType(ContentType.JSON).body(body).when().post("/v1/jobs");
    }

    @Test
    void answersTheCostAndWaitAndCreatesNothing() throws InterruptedException {
        String model = "dry-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() ->
                ModelEntry.register(model, "1", Stage.BASE.modelKind(), 32, 100, List.of("ddim"), 4, 3.0, "ddim", "MIT"));
        QuotaTest.Tenant t = QuotaTest.tenant(Map.of("max_concurrent_jobs", 2), Map.of());
        String body = "{\"prompt\":\"a dry run\",\"model\":\"" + model + "\",\"num_samples\":2,\"steps\":10";
        ModelsApiTest.awaitSubmit(t.key(), body + "}"); // the catalog lists a new model within 2 s
        assertEquals(1, jobsOf(t.id()));

        JsonPath estimate = as(t.key()).contentType(ContentType.JSON).header("Idempotency-Key", "dry-1")
                .body(body + ",\"dry_run\":true}").when().post("/v1/jobs").then().statusCode(200).extract().jsonPath();
        assertEquals(true, estimate.getBoolean("dry_run"));
        assertEquals(model, estimate.getString("model"));
        assertEquals("preview", estimate.getString("mode"));
        assertEquals(10, estimate.getInt("billed_steps"));
        assertEquals(0, estimate.getInt("upscale_steps"));
        // no history for this model: 2 samples x 10 steps x the configured 0.000001 USD per sample-step
        assertEquals(0, new BigDecimal("0.00002").compareTo(estimate.getObject("estimated_cost_usd", BigDecimal.class)));
        assertEquals(false, estimate.getBoolean("cost_measured"));
        assertEquals(false, estimate.getBoolean("cache_hit"));
        long position = estimate.getLong("queue_position");
        assertTrue(position >= 1 && position <= 100, "at least this tenant's own queued job is ahead: " + position);
        assertEquals(1, jobsOf(t.id()), "nothing created");

        // full: the upscale adds the super-resolution model's own steps (tiny-sr: 10) whatever the base steps
        JsonPath full = post(t.key(), body + ",\"mode\":\"full\",\"dry_run\":true}").then().statusCode(200).extract().jsonPath();
        assertEquals(10, full.getInt("upscale_steps"));
        assertEquals(0, new BigDecimal("0.00004").compareTo(full.getObject("estimated_cost_usd", BigDecimal.class)),
                "2 x (10 + 10) x 0.000001: " + full.prettify());
        // bulk work pays half (genq.quotas.bulk-price-factor): its dry run says so, and the job carries the factor it is billed at
        JsonPath bulk = post(t.key(), body + ",\"priority\":\"bulk\",\"dry_run\":true}").then().statusCode(200).extract().jsonPath();
        assertEquals(0, new BigDecimal("0.00001").compareTo(bulk.getObject("estimated_cost_usd", BigDecimal.class)), bulk.prettify());
        String bulkJob = post(t.key(), body + ",\"priority\":\"bulk\"}").then().statusCode(202).extract().path("id");
        assertEquals(0, new BigDecimal("0.5").compareTo(priceFactor(bulkJob)));
        assertEquals(2, jobsOf(t.id()));

        // the Idempotency-Key was not claimed by the dry run: a real submit with it is a new job
        String created = as(t.key()).contentType(ContentType.JSON).header("Idempotency-Key", "dry-1").body(body + "}").when()
                .post("/v1/jobs").then().statusCode(202).extract().path("id");
        assertEquals(0, BigDecimal.ONE.compareTo(priceFactor(created)));
        assertEquals(3, jobsOf(t.id()));
        // at the quota, a dry run is refused as the submit would be, and still creates nothing
        post(t.key(), body + ",\"dry_run\":true}").then().statusCode(429).body("code", equalTo("concurrency_limit_reached"));
        assertEquals(3, jobsOf(t.id()));
    }

    @Test
    void aDryRunAgainstASpentBudgetIs402() {
        QuotaTest.Tenant t = QuotaTest.tenant(Map.of("monthly_budget_usd", 0.000001), Map.of());
        post(t.key(), "{\"prompt\":\"a dry run\",\"num_samples\":4,\"steps\":20,\"dry_run\":true}").then().statusCode(402)
                .body("code", equalTo("budget_exhausted"));
        assertEquals(0, jobsOf(t.id()));
    }

    @Test
    void aRefusedDryRunIsRefusedLikeTheSubmit() {
        post(TestKeys.CLIENT, "{\"prompt\":\"a dry run\",\"steps\":0,\"dry_run\":true}").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("steps_out_of_range"));
        post(TestKeys.CLIENT, "{\"prompt\":\"a dry run\",\"webhook\":\"http://10.0.0.1/hook\",\"dry_run\":true}").then()
                .statusCode(400).contentType("application/problem+json");
        as(TestKeys.CLIENT).contentType(ContentType.JSON).body("{\"items\":[{\"prompt\":\"a dry run\",\"dry_run\":true}]}")
                .when().post("/v1/batches").then().statusCode(400).body("code", equalTo("dry_run_in_batch"));
    }
}
