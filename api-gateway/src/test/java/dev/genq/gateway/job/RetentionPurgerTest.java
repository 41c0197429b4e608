package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.gateway.quota.QuotaTest;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A tenant's output_retention_days: a finished job older than that is deleted (images, prompt; cost kept), a younger
 * one and every job of a tenant without retention are kept. The test sets each job's age (finished_at) itself.
 */
@QuarkusTest
class RetentionPurgerTest {
    final EntityManager em;
    final ObjectStore store;
    final RetentionPurger purger;

    RetentionPurgerTest(EntityManager em, ObjectStore store, RetentionPurger purger) {
        this.em = em;
        this.store = store;
        this.purger = purger;
    }

    /** A succeeded job of the tenant that finished {@code daysAgo} days ago, with an image in the outputs bucket. */
    String finishedJob(QuotaTest.Tenant t, double daysAgo) {
        String id = as(t.key()).contentType(ContentType.JSON).body("{\"prompt\":\"kept for a while\"}").when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                update jobs set status = 'succeeded', finished_at = now() - make_interval(secs => ?2) where id = ?1""")
                .setParameter(1, UUID.fromString(id)).setParameter(2, daysAgo * 86_400).executeUpdate());
        store.put(Buckets.OUTPUTS, Buckets.sampleKey(UUID.fromString(t.id()), UUID.fromString(id), 0), new byte[] {1}, "image/png");
        return id;
    }

    boolean deleted(String id) {
        return QuarkusTransaction.requiringNew().call(() -> (Boolean) em.createNativeQuery(
                "select deleted_at is not null from jobs where id = ?1").setParameter(1, UUID.fromString(id)).getSingleResult());
    }

    @Test
    void jobsPastTheirTenantsRetentionAreDeletedOthersKept() {
        QuotaTest.Tenant kept = QuotaTest.tenant(Map.of(), Map.of());
        QuotaTest.Tenant purged = QuotaTest.tenant(Map.of("output_retention_days", 7), Map.of());
        as(TestKeys.ADMIN).when().get("/v1/admin/tenants/" + purged.id()).then().statusCode(200)
                .body("output_retention_days", equalTo(7));
        String old = finishedJob(purged, 8);
        String young = finishedJob(purged, 6);
        String oldWithoutRetention = finishedJob(kept, 400);

        while (purger.purge() > 0) { // other tests' tenants have no retention; this drains what is due
        }

        assertTrue(deleted(old));
        assertEquals(List.of(), store.list(Buckets.OUTPUTS, Buckets.sampleKey(UUID.fromString(purged.id()), UUID.fromString(old), 0)));
        as(purged.key()).when().get("/v1/jobs/" + old).then().statusCode(404);
        assertTrue(!deleted(young) && !deleted(oldWithoutRetention), "younger than 7 days, or no retention: kept");
        as(purged.key()).when().get("/v1/jobs/" + young).then().statusCode(200).body("params.prompt", equalTo("kept for a while"));

        // PATCH 0: keep until the client deletes; out of range: refused, nothing changed
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("output_retention_days", 5000))
                .when().patch("/v1/admin/tenants/" + purged.id()).then().statusCode(400)
                .body("code", equalTo("output_retention_out_of_range"));
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("output_retention_days", 0))
                .when().patch("/v1/admin/tenants/" + purged.id()).then().statusCode(200)
                .body("output_retention_days", org.hamcrest.Matchers.nullValue());
    }
}
