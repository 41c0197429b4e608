package dev.genq.gateway.webhook;

import static dev.genq.gateway.TestKeys.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A receiver that trickles its answer's headers cannot take the webhook senders from other tenants: each attempt ends
 * at the request timeout (PT2S in the test profile) with its connection closed, and one tenant never holds
 * more than its per-tenant share (2 of the gateway's 8 senders).
 */
@QuarkusTest
class SlowReceiverTest {
    static final Duration DEADLINE = Duration.ofSeconds(2);
    static final Duration WAIT = Duration.ofSeconds(30);

    static String canceledJobWithWebhook(String key, String url) {
        String id = as(key).contentType(ContentType.JSON).body("{\"prompt\":\"a slow hook\",\"webhook\":\"" + url + "\"}")
                .when().post("/v1/jobs").then().statusCode(202).extract().path("id");
        as(key).when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200);
        return id;
    }

    @Test
    void aTricklingReceiverHoldsOnlyItsTenantsShareForAtMostTheDeadline() throws Exception {
        String slowTenant = TestKeys.newTenantKey("client");
        try (TricklingReceiver slow = new TricklingReceiver(Duration.ofMillis(700));
             WebhookReceiver quick = new WebhookReceiver()) {
            List<String> slowJobs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                slowJobs.add(canceledJobWithWebhook(slowTenant, slow.url()));
            }
            assertEquals(2, slow.awaitOpen(2, WAIT), "the slow tenant's deliveries are being sent");

            String job = WebhookDeliveryTest.cancel(WebhookDeliveryTest.submitWithWebhook(quick.url(), ""));
            List<WebhookReceiver.Received> got = quick.await(1, WebhookDeliveryTest.about(job), WAIT);
            assertEquals(1, got.size(), "another tenant's delivery arrives while the slow receiver trickles");
            assertTrue(slow.open() > 0 || pendingOf(slowJobs) > 0, "it arrived while the slow tenant still had work");
            assertTrue(slow.mostOpenAtOnce() <= 2, "one tenant holds at most 2 senders, held " + slow.mostOpenAtOnce());

            // every attempt ends at the deadline: the sender closes the connection, and records a timeout
            for (TricklingReceiver.Connection c : slow.awaitClosed(3, WAIT)) {
                assertTrue(c.held().compareTo(DEADLINE.plusSeconds(5)) < 0, "held " + c.held() + " past the 2 s deadline");
            }
            String error = awaitAttemptError(slowTenant, slowJobs.get(0));
            assertTrue(error.startsWith("TimeoutException: no answer within 2000 ms"), error);
            assertTrue(slow.mostOpenAtOnce() <= 2, "one tenant holds at most 2 senders, held " + slow.mostOpenAtOnce());
        }
    }

    static long pendingOf(List<String> jobs) {
        List<UUID> ids = jobs.stream().map(UUID::fromString).toList();
        return QuarkusTransaction.requiringNew().call(() -> dev.genq.storage.webhook.WebhookDelivery
                .count("status = ?1 and jobId in ?2", dev.genq.storage.webhook.WebhookDelivery.PENDING, ids));
    }

    /** The first recorded attempt's error of a job's delivery (bounded wait). */
    static String awaitAttemptError(String key, String job) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String error = as(key).when().get("/v1/jobs/" + job + "/webhook-deliveries").then().statusCode(200)
                    .extract().path("[0].attempt_log[0].error");
            if (error != null) {
                return error;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no attempt of " + job + " recorded by " + Instant.now());
    }
}
