package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * DELETE /v1/jobs/{id}: the images leave every bucket and their URLs die, the prompt is redacted, the webhook
 * payloads emptied, the job is gone from the API, and its cost stays.
 */
@QuarkusTest
class JobDeletionTest {
    final EntityManager em;
    final ObjectStore store;

    JobDeletionTest(EntityManager em, ObjectStore store) {
        this.em = em;
        this.store = store;
    }

    Object one(String sql, String job) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(sql).setParameter(1, UUID.fromString(job))
                .getSingleResult());
    }

    static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aFinishedJobsImagesPromptAndPayloadsGoItsCostStays() throws Exception {
        String job = VariationApiTest.releasedPreview("preview"); // sample 0 released, sample 1 quarantined
        UUID tenant = UUID.fromString((String) one("select cast(tenant_id as text) from jobs where id = ?1", job));
        String prefix = Buckets.jobPrefix(tenant, UUID.fromString(job));
        store.put(Buckets.OUTPUTS, prefix + "0.png", new byte[] {1, 2, 3}, "image/png");
        store.put(Buckets.QUARANTINE, prefix + "1.png", new byte[] {4, 5, 6}, "image/png");
        store.put(Buckets.PENDING, prefix + "2.png", new byte[] {7}, "image/png"); // one written after a cancel, say
        String url = store.presignGet(Buckets.OUTPUTS, prefix + "0.png").url();
        assertEquals(200, status(url));
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("""
                    insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                              device_class, price_per_device_hour, cost_usd)
                    select id, 0, 'base', tenant_id, 'tiny-base@1', 10, 1, 'cpu', 1.0, 0.0003 from jobs where id = ?1""")
                    .setParameter(1, UUID.fromString(job)).executeUpdate();
            em.createNativeQuery("""
                    insert into webhook_deliveries (id, tenant_id, job_id, event_type, url, payload, status, next_attempt_at)
                    select 'msg_' || ?2, tenant_id, id, 'job.succeeded', 'https://example.com/h', '{"prompt":"a grinning cat"}',
                           'pending', now() + interval '1 hour' from jobs where id = ?1""")
                    .setParameter(1, UUID.fromString(job)).setParameter(2, UUID.randomUUID().toString()).executeUpdate();
        });
        String usageBefore = as(TestKeys.CLIENT).when().get("/v1/usage").then().statusCode(200).extract().asString();

        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + job).then().statusCode(204);

        for (String bucket : JobDeletion.SAMPLE_BUCKETS) {
            assertEquals(List.of(), store.list(bucket, prefix), bucket + " still holds the job's images");
        }
        int dead = status(url);
        assertTrue(dead == 404 || dead == 403, "the released image's URL answers " + dead);
        assertEquals("", one("select prompt from jobs where id = ?1", job));
        assertTrue((Boolean) one("select deleted_at is not null from jobs where id = ?1", job));
        assertEquals("{}", one("select string_agg(payload, ',') from webhook_deliveries where job_id = ?1", job));
        assertEquals("failed", one("select string_agg(status, ',') from webhook_deliveries where job_id = ?1", job));
        assertEquals(1L, ((Number) one("select count(*) from sample_costs where job_id = ?1", job)).longValue());
        assertEquals(usageBefore, as(TestKeys.CLIENT).when().get("/v1/usage").then().statusCode(200).extract().asString(),
                "usage unchanged");
        as(TestKeys.CLIENT).when().get("/v1/jobs/" + job).then().statusCode(404).body("code", equalTo("job_not_found"));
        as(TestKeys.CLIENT).when().get("/v1/jobs/" + job + "/samples/0/image").then().statusCode(404);
        as(TestKeys.CLIENT).contentType(ContentType.JSON).body("{\"sample\":0}").when().post("/v1/jobs/" + job + "/upscale")
                .then().statusCode(404);
        assertFalse(as(TestKeys.CLIENT).when().get("/v1/jobs?limit=100").then().statusCode(200).extract().asString().contains(job));
        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + job).then().statusCode(404); // once
    }

    /** The uploads a deleted job used go with it, unless another job not deleted still names them. */
    @Test
    void anUploadGoesWithTheLastJobThatNamedIt() {
        String a = VariationApiTest.releasedPreview("preview");
        String b = VariationApiTest.releasedPreview("preview");
        UUID tenant = UUID.fromString((String) one("select cast(tenant_id as text) from jobs where id = ?1", a));
        UUID init = upload(tenant);
        UUID mask = upload(tenant);
        UUID unused = upload(tenant);
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update jobs set init_upload = ?2, mask_upload = ?3 where id = ?1")
                    .setParameter(1, UUID.fromString(a)).setParameter(2, init).setParameter(3, mask).executeUpdate();
            em.createNativeQuery("update jobs set init_upload = ?2 where id = ?1")
                    .setParameter(1, UUID.fromString(b)).setParameter(2, init).executeUpdate();
        });

        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + a).then().statusCode(204);
        assertUpload(mask, false);
        assertUpload(init, true); // job b still names it
        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + b).then().statusCode(204);
        assertUpload(init, false);
        assertUpload(unused, true);
        as(TestKeys.CLIENT).contentType(ContentType.JSON).body("{\"prompt\":\"again\",\"init_image\":\"" + init + "\"}")
                .when().post("/v1/jobs").then().statusCode(400)
                .body("errors[0].code", equalTo("upload_not_found"));
    }

    UUID upload(UUID tenant) {
        UUID id = UUID.randomUUID();
        String key = Buckets.uploadKey(tenant, id);
        store.put(Buckets.UPLOADS, key, new byte[] {9}, "image/png");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into uploads (id, tenant_id, status, format, width, height, bytes, object_key, expires_at)
                values (?1, ?2, 'accepted', 'png', 32, 32, 1, ?3, now() + interval '1 day')""")
                .setParameter(1, id).setParameter(2, tenant).setParameter(3, key).executeUpdate());
        return id;
    }

    void assertUpload(UUID id, boolean kept) {
        String key = (String) one("select object_key from uploads where id = ?1", id.toString());
        assertEquals(kept ? List.of(key) : List.of(), store.list(Buckets.UPLOADS, key), "the upload's object");
        as(TestKeys.CLIENT).when().get("/v1/uploads/" + id).then().statusCode(kept ? 200 : 404);
    }

    @Test
    void anUnfinishedJobOrAnotherTenantsIsNotDeleted() {
        String queued = as(TestKeys.CLIENT).contentType(ContentType.JSON).body("{\"prompt\":\"not yet\"}").when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + queued).then().statusCode(409).body("code", equalTo("job_not_finished"));
        String other = dev.genq.gateway.quota.QuotaTest.tenant(java.util.Map.of(), java.util.Map.of()).key();
        as(other).when().delete("/v1/jobs/" + queued).then().statusCode(404);
        assertEquals("not yet", one("select prompt from jobs where id = ?1", queued));
        assertFalse((Boolean) one("select deleted_at is not null from jobs where id = ?1", queued));
    }

    /**
     * A result-cache answer names the earlier job's images: deleting that earlier job keeps them while the answer
     * shows them, and deleting the answer too removes them.
     */
    @Test
    void anImageAnotherJobStillShowsStaysUntilThatJobIsDeletedToo() throws Exception {
        String original = VariationApiTest.releasedPreview("preview");
        String answer = VariationApiTest.releasedPreview("preview");
        UUID tenant = UUID.fromString((String) one("select cast(tenant_id as text) from jobs where id = ?1", original));
        String key = Buckets.sampleKey(tenant, UUID.fromString(original), 0);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update samples set object_key = ?1 where job_id in (?2, ?3) and idx = 0")
                .setParameter(1, key).setParameter(2, UUID.fromString(original)).setParameter(3, UUID.fromString(answer))
                .executeUpdate());
        store.put(Buckets.OUTPUTS, key, new byte[] {1, 2, 3}, "image/png");

        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + original).then().statusCode(204);
        assertEquals(List.of(key), store.list(Buckets.OUTPUTS, key), "the answer still shows it");
        as(TestKeys.CLIENT).when().get("/v1/jobs/" + answer + "/samples/0/image").then().statusCode(200); // redirect followed to the bytes

        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + answer).then().statusCode(204);
        assertEquals(List.of(), store.list(Buckets.OUTPUTS, key), "no live job shows it any more");
    }

    @Test
    void anIdempotentRetryOfADeletedJobIsRefused() {
        String body = "{\"prompt\":\"once\"}";
        String key = "delete-" + UUID.randomUUID();
        String job = as(TestKeys.CLIENT).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .when().post("/v1/jobs").then().statusCode(202).extract().path("id");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update jobs set status = 'canceled' where id = ?1")
                .setParameter(1, UUID.fromString(job)).executeUpdate());
        as(TestKeys.CLIENT).when().delete("/v1/jobs/" + job).then().statusCode(204);
        as(TestKeys.CLIENT).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).when().post("/v1/jobs")
                .then().statusCode(409).body("code", equalTo("idempotency_key_job_deleted"));
    }
}
