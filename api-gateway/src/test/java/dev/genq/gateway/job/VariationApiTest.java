package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.storage.job.Job;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /v1/jobs/{id}/variations: a derived preview job with its lineage and strength, or a clear refusal that creates nothing. */
@QuarkusTest
class VariationApiTest {

    /** A preview job of this tenant with sample 0 released (as moderation leaves it) and sample 1 quarantined. */
    static String releasedPreview(String mode) {
        String id = given().contentType(ContentType.JSON).body("{\"prompt\":\"a grinning cat\",\"steps\":10,\"num_samples\":2,\"mode\":\"" + mode + "\"}")
                .when().post("/v1/jobs").then().statusCode(202).extract().path("id");
        QuarkusTransaction.requiringNew().run(() -> {
            var em = Job.getEntityManager();
            em.createNativeQuery("update jobs set status = 'succeeded' where id = ?1").setParameter(1, UUID.fromString(id)).executeUpdate();
            em.createNativeQuery("""
                    insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256)
                    select id, 0, tenant_id, 'released', 7, 32, 32, 'k0', 1, 'h' from jobs where id = ?1
                    union all select id, 1, tenant_id, 'quarantined', 8, 32, 32, 'k1', 1, 'h' from jobs where id = ?1""")
                    .setParameter(1, UUID.fromString(id)).executeUpdate();
        });
        return id;
    }

    static long jobs() {
        return QuarkusTransaction.requiringNew().call(() -> Job.count());
    }

    @Test
    void aVariationIsAPreviewJobWithItsParentItsStrengthAndTheParentsSettings() {
        String parent = releasedPreview("preview");
        given().contentType(ContentType.JSON).body("{\"sample\":0,\"strength\":0.5,\"seed\":11}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(202)
                .header("Location", org.hamcrest.Matchers.containsString("/v1/jobs/"))
                .body("mode", equalTo("preview")).body("status", equalTo("queued"))
                .body("parent_id", equalTo(parent)).body("parent_sample", equalTo(0))
                .body("params.strength", equalTo(0.5f)).body("params.steps", equalTo(10))
                .body("params.prompt", equalTo("a grinning cat")).body("params.num_samples", equalTo(2))
                .body("params.seed", equalTo(11));
        given().contentType(ContentType.JSON).body("{\"sample\":0,\"preset\":\"strong\",\"num_samples\":1,\"prompt\":\"a grinning dog\"}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(202)
                .body("params.strength", equalTo(0.75f)).body("params.prompt", equalTo("a grinning dog"))
                .body("params.num_samples", equalTo(1));
        given().contentType(ContentType.JSON).body("{\"sample\":0}").when().post("/v1/jobs/" + parent + "/variations")
                .then().statusCode(202).body("params.strength", equalTo(0.4f)).body("params.region", equalTo(null));
        given().contentType(ContentType.JSON).body("{\"sample\":0,\"region\":{\"x\":8,\"y\":16,\"width\":24,\"height\":16}}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(202)
                .body("params.region.x", equalTo(8)).body("params.region.y", equalTo(16))
                .body("params.region.width", equalTo(24)).body("params.region.height", equalTo(16));
    }

    @Test
    void anIdempotencyKeyReplaysTheSameVariation() {
        String parent = releasedPreview("preview");
        String key = "vary-" + UUID.randomUUID();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"sample\":0,\"strength\":0.3}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(202).extract().path("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"sample\":0,\"strength\":0.3}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(202)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first));
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"sample\":0,\"strength\":0.9}")
                .when().post("/v1/jobs/" + parent + "/variations").then().statusCode(409)
                .body("code", equalTo("idempotency_key_reused"));
    }

    @Test
    void badRequestsAreRefusedWithAStableCodeAndCreateNothing() {
        String parent = releasedPreview("preview");
        String full = releasedPreview("full");
        long before = jobs();
        String path = "/v1/jobs/" + parent + "/variations";
        record Case(String path, String body, int status, String code) {
        }
        for (Case c : new Case[] {
                new Case(path, "{\"strength\":0.5}", 400, "sample_required"),
                new Case(path, "{\"sample\":0,\"strength\":1.5}", 400, "strength_out_of_range"),
                new Case(path, "{\"sample\":0,\"strength\":-0.1}", 400, "strength_out_of_range"),
                new Case(path, "{\"sample\":0,\"preset\":\"wild\"}", 400, "unknown_preset"),
                new Case(path, "{\"sample\":0,\"preset\":\"subtle\",\"strength\":0.2}", 400, "strength_and_preset"),
                new Case(path, "{\"sample\":0,\"num_samples\":9}", 400, "num_samples_out_of_range"),
                new Case(path, "{\"sample\":0,\"prompt\":\"\"}", 400, "prompt_required"),
                new Case(path, "{\"sample\":0,\"colour\":\"red\"}", 400, "unknown_field"),
                new Case(path, "{\"sample\":0,\"region\":{\"x\":20,\"y\":0,\"width\":13,\"height\":4}}", 400, "region_out_of_bounds"),
                new Case(path, "{\"sample\":0,\"region\":{\"x\":0,\"y\":0,\"width\":0,\"height\":4}}", 400, "region_out_of_bounds"),
                new Case(path, "{\"sample\":0,\"region\":{\"x\":-1,\"y\":0,\"width\":2,\"height\":4}}", 400, "region_out_of_bounds"),
                new Case(path, "{\"sample\":0,\"region\":{\"x\":0,\"y\":0}}", 400, "region_out_of_bounds"),
                new Case(path, "{\"sample\":1}", 409, "sample_not_released"),
                new Case(path, "{\"sample\":5}", 409, "sample_not_released"),
                new Case("/v1/jobs/" + full + "/variations", "{\"sample\":0}", 409, "not_a_preview"),
                new Case("/v1/jobs/" + UUID.randomUUID() + "/variations", "{\"sample\":0}", 404, "job_not_found")}) {
            given().contentType(ContentType.JSON).body(c.body()).when().post(c.path()).then().statusCode(c.status())
                    .contentType("application/problem+json").body("code", equalTo(c.code()));
        }
        assertEquals(before, jobs(), "no refused variation created a job");
    }
}
