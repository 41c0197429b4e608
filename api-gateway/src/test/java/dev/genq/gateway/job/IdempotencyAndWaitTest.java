package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.storage.job.Job;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdempotencyAndWaitTest {

    static Response submit(String key, String body) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).when().post("/v1/jobs");
    }

    static long jobsWithPrompt(String prompt) {
        return QuarkusTransaction.requiringNew().call(() -> Job.count("prompt", prompt));
    }

    @Test
    void sameKeyAndBodyGiveTheSameJob() {
        String key = "order-" + UUID.randomUUID();
        String prompt = "idempotent " + key;
        Response first = submit(key, "{\"prompt\":\"" + prompt + "\",\"num_samples\":2}");
        first.then().statusCode(202);
        // the same body with other whitespace and field order is the same request
        Response again = submit(key, "{ \"num_samples\": 2, \"prompt\": \"" + prompt + "\" }");
        again.then().statusCode(202).header("Idempotent-Replayed", "true");
        assertEquals(first.<String>path("id"), again.path("id"));
        assertEquals(String.valueOf((Object) first.path("params.seed")), String.valueOf((Object) again.path("params.seed")), "the random seed too");
        assertEquals(1, jobsWithPrompt(prompt));
    }

    @Test
    void sameKeyWithAnotherBodyIs409AndCreatesNothing() {
        String key = "k-" + UUID.randomUUID();
        submit(key, "{\"prompt\":\"first " + key + "\"}").then().statusCode(202);
        submit(key, "{\"prompt\":\"second " + key + "\"}").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("idempotency_key_reused"));
        assertEquals(0, jobsWithPrompt("second " + key));
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneJob() {
        String key = "race-" + UUID.randomUUID();
        String body = "{\"prompt\":\"race " + key + "\"}";
        assertEquals(1, idsOfSixRacers(() -> submit(key, body)).size());
        assertEquals(1, jobsWithPrompt("race " + key));
    }

    /** A preview job of the test tenant with sample 0 released, as the worker and moderation would leave it. */
    static String releasedPreview() {
        String preview = given().contentType(ContentType.JSON).body("{\"prompt\":\"upscale me\",\"mode\":\"preview\"}")
                .when().post("/v1/jobs").then().statusCode(202).extract().path("id");
        QuarkusTransaction.requiringNew().run(() -> {
            var em = Job.getEntityManager();
            em.createNativeQuery("update jobs set status = 'succeeded' where id = ?1").setParameter(1, UUID.fromString(preview)).executeUpdate();
            em.createNativeQuery("""
                    insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256)
                    values (?1, 0, '00000000-0000-0000-0000-000000000001', 'released', 7, 32, 32, 'k', 1, 'h'),
                           (?1, 1, '00000000-0000-0000-0000-000000000001', 'released', 8, 32, 32, 'k', 1, 'h')""")
                    .setParameter(1, UUID.fromString(preview)).executeUpdate();
        });
        return preview;
    }

    static Response upscale(String preview, String key, int sample) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"sample\":" + sample + "}")
                .when().post("/v1/jobs/" + preview + "/upscale");
    }

    static long upscalesOf(String preview) {
        return QuarkusTransaction.requiringNew().call(() -> Job.count("parentId", UUID.fromString(preview)));
    }

    @Test
    void anUpscaleRetriedWithItsKeyIsTheSameUpscale() {
        String preview = releasedPreview();
        String key = "up-" + UUID.randomUUID();
        Response first = upscale(preview, key, 0);
        first.then().statusCode(202).header("Idempotent-Replayed", org.hamcrest.Matchers.nullValue());
        upscale(preview, key, 0).then().statusCode(202).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.<String>path("id")));
        assertEquals(1, upscalesOf(preview), "one upscale, however often it is retried");
        // the key now means "sample 0 of this preview": another sample, or a submit, with it is refused
        upscale(preview, key, 1).then().statusCode(409).body("code", equalTo("idempotency_key_reused"));
        submit(key, "{\"prompt\":\"reuse " + key + "\"}").then().statusCode(409).body("code", equalTo("idempotency_key_reused"));
        assertEquals(1, upscalesOf(preview));
        assertEquals(0, jobsWithPrompt("reuse " + key));
        // without a key each request is a new upscale, as before
        given().contentType(ContentType.JSON).body("{\"sample\":1}").when().post("/v1/jobs/" + preview + "/upscale").then().statusCode(202);
        assertEquals(2, upscalesOf(preview));
    }

    @Test
    void concurrentUpscalesWithOneKeyCreateOne() {
        String preview = releasedPreview();
        String key = "up-race-" + UUID.randomUUID();
        assertEquals(1, idsOfSixRacers(() -> upscale(preview, key, 0)).size());
        assertEquals(1, upscalesOf(preview));
    }

    /** Sends the same request six times at once; each must be accepted. @return the job ids they answered */
    static Set<String> idsOfSixRacers(java.util.function.Supplier<Response> request) {
        List<CompletableFuture<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            racers.add(CompletableFuture.supplyAsync(request));
        }
        Set<String> ids = new HashSet<>();
        for (var r : racers) {
            Response response = r.join();
            assertEquals(202, response.statusCode(), response.asString());
            ids.add(response.path("id"));
        }
        return ids;
    }

    @Test
    void malformedKeysAreRefused() {
        submit("x".repeat(256), "{\"prompt\":\"a\"}").then().statusCode(400).body("code", equalTo("invalid_idempotency_key"));
        submit("has space", "{\"prompt\":\"a\"}").then().statusCode(400).body("code", equalTo("invalid_idempotency_key"));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "has space").body("{\"sample\":0}")
                .when().post("/v1/jobs/" + UUID.randomUUID() + "/upscale").then().statusCode(400).body("code", equalTo("invalid_idempotency_key"));
    }

    @Test
    void preferWaitAnswersWithTheJobAsItStandsWhenTimeRunsOut() {
        // no worker runs in this module, so the job cannot finish: the gateway waits, then answers 202
        long t0 = System.nanoTime();
        given().contentType(ContentType.JSON).header("Prefer", "wait=1").body("{\"prompt\":\"patience\"}")
                .when().post("/v1/jobs").then().statusCode(202)
                .header("Preference-Applied", "wait=1").body("status", equalTo("queued"));
        assertTrue(System.nanoTime() - t0 >= 900_000_000L, "it waited");
    }

    @Test
    void preferWaitHoldsAnUpscaleToo() {
        String preview = VariationApiTest.releasedPreview("preview"); // sample 0 released, as moderation leaves it
        long t0 = System.nanoTime();
        given().contentType(ContentType.JSON).header("Prefer", "wait=1").body("{\"sample\":0}")
                .when().post("/v1/jobs/" + preview + "/upscale").then().statusCode(202)
                .header("Preference-Applied", "wait=1").body("status", equalTo("queued")).body("parent_id", equalTo(preview));
        assertTrue(System.nanoTime() - t0 >= 900_000_000L, "it waited");
        // without the header the answer is immediate and says nothing about waiting
        given().contentType(ContentType.JSON).body("{\"sample\":0}").when().post("/v1/jobs/" + preview + "/upscale")
                .then().statusCode(202).header("Preference-Applied", org.hamcrest.Matchers.nullValue());
    }
}
