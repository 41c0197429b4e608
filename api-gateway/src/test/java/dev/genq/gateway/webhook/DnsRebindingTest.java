package dev.genq.gateway.webhook;

import static dev.genq.gateway.TestKeys.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a name that resolves to a public address when the guard checks it and to a private one
 * when the HTTP client would look it up again. Here the guard's resolver answers 203.0.113.7 (TEST-NET-3,
 * where nothing answers) for "localhost", while the operating system answers 127.0.0.1, where a receiver
 * listens: an attempt goes to the checked address only, and the receiver never hears from genq.
 */
@QuarkusTest
class DnsRebindingTest {

    @Test
    void anAttemptConnectsToTheAddressThatWasCheckedNotToWhatTheNameResolvesToLater() throws Exception {
        QuarkusMock.installMockForType(new WebhookResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return host.equals("localhost") ? new InetAddress[] {InetAddress.getByName("203.0.113.7")} : super.resolve(host);
            }
        }, WebhookResolver.class);
        try (WebhookReceiver local = new WebhookReceiver()) {
            String url = local.url().replace("127.0.0.1", "localhost");
            String job = WebhookDeliveryTest.cancel(WebhookDeliveryTest.submitWithWebhook(url, ""));
            String error = awaitFirstAttemptError(job);
            assertTrue(error.contains("203.0.113.7") || error.startsWith("TimeoutException"), error);
            assertEquals(0, local.all().size(), "no request reached the address the name resolved to later");
        }
    }

    static String awaitFirstAttemptError(String job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String error = given().when().get("/v1/jobs/" + job + "/webhook-deliveries").then().statusCode(200)
                    .extract().path("[0].attempt_log[0].error");
            if (error != null) {
                return error;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no attempt of " + job + " recorded");
    }
}
