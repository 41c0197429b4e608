package dev.genq.gateway.usage;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class UsageTest {
    static final String TENANT = "00000000-0000-0000-0000-000000000001";

    @Inject
    EntityManager em;

    @Test
    void sumsSamplesComputeAndCostByDayAndModel() {
        // two samples of a full job on 2031-01-05 (base + super-resolution each), one preview sample next day,
        // and another tenant's row that must not count
        UUID full = job(TENANT);
        UUID preview = job(TENANT);
        UUID other = job(UUID.randomUUID().toString());
        cost(full, 0, "base", "m-base@1", 1.0, "0.000100000", "2031-01-05T10:00:00Z");
        cost(full, 0, "super_resolution", "m-sr@1", 3.0, "0.000300000", "2031-01-05T10:00:01Z");
        cost(full, 1, "base", "m-base@1", 1.0, "0.000100000", "2031-01-05T10:00:00Z");
        cost(full, 1, "super_resolution", "m-sr@1", 3.0, "0.000300000", "2031-01-05T10:00:01Z");
        cost(preview, 0, "base", "m-base@1", 0.5, "0.000050000", "2031-01-06T23:59:59Z");
        cost(other, 0, "base", "m-base@1", 9.0, "0.000900000", "2031-01-05T12:00:00Z");

        JsonPath r = given().queryParam("from", "2031-01-05").queryParam("to", "2031-01-06").when().get("/v1/usage")
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> days = r.getList("days");
        assertEquals(3, days.size());
        assertEquals(Map.of("day", "2031-01-05", "model", "m-base@1", "samples", 2, "compute_seconds", 2.0f,
                "usd", 0.0002f), days.get(0));
        assertEquals("m-sr@1", days.get(1).get("model"));
        assertEquals(2, days.get(1).get("samples"));
        assertEquals("2031-01-06", days.get(2).get("day"));
        assertEquals(3, r.getInt("total.samples"), "distinct samples, not stage rows");
        assertEquals(new BigDecimal("0.00085"), new BigDecimal(r.getString("total.usd")));

        given().queryParam("from", "2031-01-07").queryParam("to", "2031-01-06").when().get("/v1/usage")
                .then().statusCode(400).body("code", equalTo("invalid_date_range"));
        given().queryParam("from", "yesterday").when().get("/v1/usage").then().statusCode(400).body("code", equalTo("invalid_date"));
    }

    private UUID job(String tenant) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model)
                values (?1, ?2, 'succeeded', 'full', 'usage', 2, 1, 5, 3, 'ddim', 'tiny-base')""")
                .setParameter(1, id).setParameter(2, UUID.fromString(tenant)).executeUpdate());
        return id;
    }

    private void cost(UUID job, int idx, String stage, String model, double seconds, String usd, String at) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                          device_class, price_per_device_hour, cost_usd, created_at)
                select ?1, ?2, ?3, tenant_id, ?4, 5, ?5, 'cpu', 0.36, cast(?6 as numeric), cast(?7 as timestamptz) from jobs where id = ?1""")
                .setParameter(1, job).setParameter(2, idx).setParameter(3, stage).setParameter(4, model)
                .setParameter(5, seconds).setParameter(6, usd).setParameter(7, at).executeUpdate());
    }
}
