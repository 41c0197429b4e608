package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Webhooks across the three services as processes: events from the worker and moderation, and a gateway crash. */
class WebhooksTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    final Platform platform = Platform.get();

    /** Records (event type, webhook-id) of every request; answers 500 to the first {@code failures}. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final List<String[]> got = new ArrayList<>();
        final AtomicInteger failuresLeft;

        Receiver(int failures) throws Exception {
            this(failures, 0);
        }

        /** On a given port (0: any free one). */
        Receiver(int failures, int port) throws Exception {
            failuresLeft = new AtomicInteger(failures);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", ex -> {
                JsonNode body = Platform.JSON.readTree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                synchronized (got) {
                    got.add(new String[] {body.path("type").asText(), ex.getRequestHeaders().getFirst("webhook-id"), body.toString()});
                    got.notifyAll();
                }
                ex.sendResponseHeaders(failuresLeft.getAndDecrement() > 0 ? 500 : 204, -1);
                ex.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        List<String[]> awaitCount(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            synchronized (got) {
                while (got.size() < n && System.nanoTime() < deadline) {
                    got.wait(200);
                }
                return List.copyOf(got);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aJobsEventsFromEveryServiceReachItsWebhook() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            String id = platform.submit("{\"prompt\":\"a hooked star\",\"num_samples\":2,\"steps\":3,\"webhook\":\"" + receiver.url() + "\"}");
            platform.awaitStatus(id, "succeeded", TIMEOUT);
            List<String[]> got = receiver.awaitCount(4);
            Set<String> types = new TreeSet<>();
            got.forEach(g -> types.add(g[0]));
            assertEquals(Set.of("job.started", "sample.released", "job.succeeded"), types, "started by the worker, "
                    + "released and settled by moderation");
            assertEquals(4, got.size(), "job.started, two sample.released, job.succeeded: once each");
            assertEquals(4, got.stream().map(g -> g[1]).distinct().count(), "one webhook-id per event");
            // the final payload carries every sample's quality verdict and the job's diversity
            JsonNode done = Platform.JSON.readTree(got.stream().filter(g -> g[0].equals("job.succeeded")).findFirst().orElseThrow()[2]);
            for (JsonNode sample : done.path("data").path("samples")) {
                Pictures.assertPictureVerdict(sample);
            }
            assertTrue(done.path("data").path("diversity").isNumber(), done.toString());
        }
    }

    @Test
    void aReceiverThatIsDownAndComesBackGetsTheEventOnce() throws Exception {
        int port = dev.genq.local.EmbeddedStack.freePort(); // nothing listens on it until the receiver starts
        String id = platform.submit("{\"prompt\":\"a receiver outage\",\"steps\":2,\"webhook\":\"http://127.0.0.1:" + port
                + "/hook\",\"webhook_events_filter\":[\"job.succeeded\"]}");
        JsonNode delivery = awaitDelivery(id, d -> d.path("attempts").asInt() >= 2);
        assertEquals("pending", delivery.path("status").asText(), delivery.toString());
        for (JsonNode attempt : delivery.path("attempt_log")) {
            assertTrue(attempt.path("response_status").isMissingNode(), "no answer while down: " + delivery);
            assertTrue(!attempt.path("error").asText().isEmpty(), "the failure is recorded: " + delivery);
        }
        try (Receiver receiver = new Receiver(0, port)) {
            delivery = awaitDelivery(id, d -> "succeeded".equals(d.path("status").asText()));
            List<String[]> got = receiver.awaitCount(1);
            Thread.sleep(1500);
            assertEquals(1, receiver.awaitCount(0).size(), "delivered once, nothing after the success");
            assertEquals("job.succeeded", got.get(0)[0]);
            assertEquals(delivery.path("id").asText(), got.get(0)[1], "the webhook-id of the failed attempts");
            assertTrue(delivery.path("attempts").asInt() >= 3, delivery.toString());
        }
    }

    /** Polls the job's single webhook delivery until {@code done} holds. */
    private JsonNode awaitDelivery(String jobId, java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode delivery = null;
        while (System.nanoTime() < deadline) {
            delivery = platform.get("/v1/jobs/" + jobId + "/webhook-deliveries").body().path(0);
            if (!delivery.isMissingNode() && done.test(delivery)) {
                return delivery;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("delivery of job " + jobId + " did not get there; last seen " + delivery);
    }

    @Test
    void aGatewayKilledInTheMiddleOfARetryScheduleLosesNoDelivery() throws Exception {
        try (Receiver receiver = new Receiver(3)) {
            String id = platform.submit("{\"prompt\":\"a crash\",\"steps\":2,\"webhook\":\"" + receiver.url()
                    + "\",\"webhook_events_filter\":[\"job.succeeded\"]}");
            assertEquals(1, receiver.awaitCount(1).size(), "the first attempt (answered 500)");
            Thread.sleep(500); // between attempts: the first is recorded, the second due in 0.5 s
            platform.killAndRestartGateway();
            List<String[]> got = receiver.awaitCount(4);
            assertEquals(4, got.size(), "three failures, then the 2xx, across the restart");
            got.forEach(g -> assertEquals(got.get(0)[1], g[1], "the same webhook-id on every attempt"));
            got.forEach(g -> assertEquals("job.succeeded", g[0]));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            JsonNode deliveries = null;
            while (System.nanoTime() < deadline) {
                deliveries = platform.get("/v1/jobs/" + id + "/webhook-deliveries").body();
                if ("succeeded".equals(deliveries.path(0).path("status").asText())) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(1, deliveries.size(), deliveries.toString());
            assertEquals("succeeded", deliveries.path(0).path("status").asText(), deliveries.toString());
            assertEquals(4, deliveries.path(0).path("attempts").asInt(), deliveries.toString());
            Thread.sleep(1500);
            assertEquals(4, receiver.awaitCount(0).size(), "no attempt after the success");
        }
    }
}
