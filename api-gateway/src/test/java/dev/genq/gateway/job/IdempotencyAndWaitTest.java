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
        List<CompletableFuture<Response>> racers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            racers.add(CompletableFuture.supplyAsync(() -> submit(key, body)));
        }
        Set<String> ids = new HashSet<>();
        for (var r : racers) {
            Response response = r.join();
            assertEquals(202, response.statusCode(), response.asString());
            ids.add(response.path("id"));
        }
        assertEquals(1, ids.size());
        assertEquals(1, jobsWithPrompt("race " + key));
    }

    @Test
    void malformedKeysAreRefused() {
        submit("x".repeat(256), "{\"prompt\":\"a\"}").then().statusCode(400).body("code", equalTo("invalid_idempotency_key"));
        submit("has space", "{\"prompt\":\"a\"}").then().statusCode(400).body("code", equalTo("invalid_idempotency_key"));
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
}
