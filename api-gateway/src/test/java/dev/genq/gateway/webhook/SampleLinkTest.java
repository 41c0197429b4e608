package dev.genq.gateway.webhook;

import static dev.genq.gateway.TestKeys.as;
import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A released sample's link: a redirect to a fresh download URL, and what webhooks carry instead of a URL. */
@QuarkusTest
class SampleLinkTest {
    static final String TENANT = "00000000-0000-0000-0000-000000000001";

    @Inject
    ObjectStore store;
    @Inject
    WebhookDeliveries deliveries;

    /** A finished job of the test tenant: sample 0 released (its bytes in outputs), sample 1 quarantined. */
    String finishedJob(String webhook, byte[] png) {
        String body = webhook == null ? "{\"prompt\":\"a linked pear\",\"num_samples\":2}"
                : "{\"prompt\":\"a linked pear\",\"num_samples\":2,\"webhook\":\"" + webhook + "\"}";
        String job = given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(202).extract().path("id");
        String key = "samples/" + job + "/0.png";
        store.put(Buckets.OUTPUTS, key, png, "image/png");
        QuarkusTransaction.requiringNew().run(() -> {
            var em = Job.getEntityManager();
            em.createNativeQuery("update jobs set status = 'needs_review' where id = ?1").setParameter(1, UUID.fromString(job)).executeUpdate();
            em.createNativeQuery("""
                    insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256)
                    values (?1, 0, cast(?2 as uuid), 'released', 7, 32, 32, ?3, 4, 'h'),
                           (?1, 1, cast(?2 as uuid), 'quarantined', 8, 32, 32, ?4, 4, 'h')""")
                    .setParameter(1, UUID.fromString(job)).setParameter(2, TENANT).setParameter(3, key)
                    .setParameter(4, "samples/" + job + "/1.png").executeUpdate();
        });
        return job;
    }

    @Test
    void aReleasedSamplesLinkRedirectsToItsBytesAndNothingElseHasOne() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        String job = finishedJob(null, png);
        String link = "/v1/jobs/" + job + "/samples/0/image";
        given().when().get("/v1/jobs/" + job).then().statusCode(200)
                .body("samples[0].link", equalTo(link)).body("samples[1].link", nullValue()).body("samples[1].url", nullValue());
        Response redirect = given().redirects().follow(false).when().get(link);
        redirect.then().statusCode(302).header("Cache-Control", "private, no-store");
        String location = redirect.header("Location");
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode());
        assertArrayEquals(png, download.body(), "the link leads to the sample's own bytes");
        // a held sample, a sample that does not exist, another tenant: no URL, ever
        given().redirects().follow(false).when().get("/v1/jobs/" + job + "/samples/1/image").then().statusCode(404)
                .body("code", equalTo("sample_not_available"));
        given().redirects().follow(false).when().get("/v1/jobs/" + job + "/samples/7/image").then().statusCode(404)
                .body("code", equalTo("sample_not_available"));
        as(TestKeys.newTenantKey("client")).redirects().follow(false).when().get(link).then().statusCode(404).body("code", equalTo("job_not_found"));
    }

    @Test
    void aWebhookCarriesLinksNotPresignedUrlsThatWouldExpireWhileItIsRetried() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String job = finishedJob(receiver.url(), new byte[] {1});
            assertTrue(deliveries.enqueue(new JobEvent(UUID.randomUUID(), JobEvent.SAMPLE_RELEASED, UUID.fromString(job),
                    UUID.fromString(TENANT), 0, Instant.now())));
            List<WebhookReceiver.Received> got = receiver.await(1, r -> r.body().contains(job), Duration.ofSeconds(20));
            assertEquals(1, got.size());
            JsonNode released = new ObjectMapper().readTree(got.get(0).body()).at("/data/samples/0");
            assertEquals("/v1/jobs/" + job + "/samples/0/image", released.get("link").asText(), released.toString());
            assertFalse(released.has("url"), "no presigned URL: " + released);
            assertFalse(released.has("url_expires_at"), released.toString());
            // the same job read through the API still has its URL
            given().when().get("/v1/jobs/" + job).then().statusCode(200).body("samples[0].url", org.hamcrest.Matchers.notNullValue());
        }
    }
}
