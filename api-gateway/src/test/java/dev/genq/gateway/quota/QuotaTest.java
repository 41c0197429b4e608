package dev.genq.gateway.quota;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.api.ratelimit.RateLimitGate;
import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import java.math.BigDecimal;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
public class QuotaTest {
    final EntityManager em;

    final CostEstimates estimates;

    final RateLimitGate gate;

    QuotaTest(EntityManager em, CostEstimates estimates, RateLimitGate gate) {
        this.em = em;
        this.estimates = estimates;
        this.gate = gate;
    }

    public record Tenant(String id, String key) {
    }

    public static Tenant tenant(Map<String, Object> quotas, Map<String, Object> keyOptions) {
        Map<String, Object> body = new HashMap<>(quotas);
        body.put("name", "quota-" + UUID.randomUUID());
        String id = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(body).when().post("/v1/admin/tenants")
                .then().statusCode(201).extract().path("id");
        Map<String, Object> key = new HashMap<>(keyOptions);
        key.put("name", "k");
        key.put("roles", List.of("client"));
        return new Tenant(id, as(TestKeys.ADMIN).contentType(ContentType.JSON).body(key)
                .when().post("/v1/admin/tenants/" + id + "/keys").then().statusCode(201).extract().path("key"));
    }

    static Response submit(String key) {
        return as(key).contentType(ContentType.JSON).body("{\"prompt\":\"quota\"}").when().post("/v1/jobs");
    }

    /** Sends {@code n} submits from {@code threads} threads at once; every refusal must pass {@code refused}. @return the 202s */
    static int acceptedOf(int n, int threads, java.util.concurrent.Callable<Response> submit,
                          java.util.function.Consumer<Response> refused) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(submit));
            }
            int accepted = 0;
            for (Future<Response> f : answers) {
                Response r = f.get();
                if (r.statusCode() == 202) {
                    accepted++;
                } else {
                    refused.accept(r);
                }
            }
            return accepted;
        } finally {
            pool.shutdown();
        }
    }

    long jobsOf(String tenant) {
        return QuarkusTransaction.requiringNew().call(() -> Job.count("tenantId", UUID.fromString(tenant)));
    }

    @Test
    void concurrentSubmitsNeverExceedTheConcurrencyQuota() throws Exception {
        Tenant t = tenant(Map.of("max_concurrent_jobs", 3), Map.of());
        int accepted = acceptedOf(8, 8, () -> submit(t.key()), r -> r.then().statusCode(429)
                .contentType("application/problem+json").body("code", equalTo("concurrency_limit_reached")).header("Retry-After", "5"));
        assertEquals(3, accepted);
        assertEquals(3, jobsOf(t.id()), "a refused submit creates nothing");

        // a finished job frees its slot
        String first = as(t.key()).when().get("/v1/jobs").then().extract().path("data[0].id");
        as(t.key()).when().post("/v1/jobs/" + first + "/cancel").then().statusCode(200);
        submit(t.key()).then().statusCode(202);
    }

    @Test
    void concurrentSubmitsAgainstANearlySpentBudgetAdmitOnlyWhatItCovers() throws Exception {
        String body = "{\"prompt\":\"an expensive fox\",\"num_samples\":4}";
        Tenant t = tenant(Map.of("monthly_budget_usd", 1000), Map.of());
        String first = as(t.key()).contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(202)
                .extract().path("id");
        Response view = as(t.key()).when().get("/v1/jobs/" + first);
        BigDecimal each = estimates.estimate(view.path("params.model"), JobMode.fromWire(view.path("mode")),
                view.<Integer>path("params.num_samples"), view.<Integer>path("params.steps"));
        assertTrue(each.signum() > 0, "an estimate for every job");
        // room for the first job's reservation and three more
        BigDecimal budget = each.multiply(new BigDecimal("4.5")).setScale(6, java.math.RoundingMode.DOWN);
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("monthly_budget_usd", budget))
                .when().patch("/v1/admin/tenants/" + t.id()).then().statusCode(200);

        int accepted = acceptedOf(100, 16, () -> as(t.key()).contentType(ContentType.JSON).body(body).when().post("/v1/jobs"),
                r -> r.then().statusCode(402).contentType("application/problem+json").body("code", equalTo("budget_exhausted")));
        assertEquals(3, accepted, "the budget covers three more estimates, each " + each + " USD");
        assertEquals(4, jobsOf(t.id()), "a refused submit creates nothing");

        // a canceled job's reservation is released (it ran no step: it costs nothing)
        as(t.key()).when().post("/v1/jobs/" + first + "/cancel").then().statusCode(200);
        as(t.key()).contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(202);
    }

    @Test
    void aSpentBudgetIs402() {
        Tenant t = tenant(Map.of("monthly_budget_usd", 0.01), Map.of());
        String job = submit(t.key()).then().statusCode(202).extract().path("id");
        // what a worker would record for a sample: this month's spend becomes 0.01 USD
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                          device_class, price_per_device_hour, cost_usd)
                values (?1, 0, 'base', ?2, 'tiny-base@1', 20, 36, 'cpu', 1.0, 0.01)""")
                .setParameter(1, UUID.fromString(job)).setParameter(2, UUID.fromString(t.id())).executeUpdate());
        submit(t.key()).then().statusCode(402).contentType("application/problem+json")
                .body("code", equalTo("budget_exhausted"));
        assertEquals(1, jobsOf(t.id()));
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("monthly_budget_usd", 1))
                .when().patch("/v1/admin/tenants/" + t.id()).then().statusCode(200);
        submit(t.key()).then().statusCode(202);
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfter() {
        Tenant t = tenant(Map.of(), Map.of("rate_limit_per_second", 0.5)); // burst: 2 s worth = 1 request
        as(t.key()).when().get("/v1/jobs").then().statusCode(200);
        Response limited = as(t.key()).when().get("/v1/jobs");
        limited.then().statusCode(429).contentType("application/problem+json")
                .body("code", equalTo("rate_limited")).header("Retry-After", notNullValue());
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "one token every 2 s: " + retryAfter);
        // the limit is per key: the default tenant's key is unaffected
        as(TestKeys.CLIENT).when().get("/v1/jobs").then().statusCode(200);
    }

    /**
     * A key re-sending refused requests is answered before authentication, routing and its body (the gate):
     * a malformed body gets the same 429, and the gate counts every one of them. An unknown key never is.
     */
    @Test
    void aKeyOverItsRateIsRefusedBeforeItsRequestIsRead() {
        Tenant t = tenant(Map.of(), Map.of("rate_limit_per_second", 0.01)); // one token, the next in 100 s
        as(t.key()).when().get("/v1/jobs").then().statusCode(200); // the key is now known here, its bucket empty
        long before = gate.refused();
        for (int i = 0; i < 20; i++) {
            Response r = as(t.key()).contentType(ContentType.JSON).body("{not json").when().post("/v1/jobs");
            r.then().statusCode(429).contentType("application/problem+json").body("code", equalTo("rate_limited"));
            long wait = Long.parseLong(r.header("Retry-After"));
            assertTrue(wait > 50 && wait <= 100, "the next token is due within 100 s: " + wait);
            assertEquals("this API key is over its request rate; retry after " + wait + " s", r.path("detail"));
        }
        // all 20 (19 if the key's 10 s identity cache entry expired mid-loop on a slow machine: that one request is
        // authenticated again and refused by the filter); none without the gate
        assertTrue(gate.refused() - before >= 19, "refused before authentication: " + (gate.refused() - before));
        long afterLoop = gate.refused();
        as("gq_never-issued-" + UUID.randomUUID().toString().replace("-", "")).when().get("/v1/jobs").then().statusCode(401);
        as(TestKeys.CLIENT).when().get("/v1/jobs").then().statusCode(200);
        assertEquals(afterLoop, gate.refused(), "an unknown key and a key within its rate pass the gate");
    }
}
