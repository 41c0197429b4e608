package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.genq.client.Estimate;
import dev.genq.client.GenqClient;
import dev.genq.client.GenqException;
import dev.genq.client.Job;
import dev.genq.client.JobPage;
import dev.genq.client.JobRequest;
import dev.genq.client.Usage;
import dev.genq.client.WebhookVerifier;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The Java client (client/) against the whole platform, each test on a tenant of its own: submit, wait on the event
 * stream, download real pictures, upscale, cancel, list page by page, usage, a dry run, refusals as problems with
 * their codes, a retry after a lost answer that gets the same job (one Idempotency-Key through every attempt), and
 * a real webhook delivery checked by the client's Standard Webhooks verifier.
 */
class JavaClientTest {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    final Platform platform = Platform.get();

    GenqClient client(String key) {
        return GenqClient.builder(platform.gatewayUrl, key).build();
    }

    @Test
    void submitWaitDownloadUpscaleListAndUsage() {
        GenqClient genq = client(platform.newTenant(""));
        Estimate estimate = genq.estimate(JobRequest.of("a red apple").withSamples(4).withSteps(8).withSeed(7));
        assertTrue(estimate.dryRun());
        assertEquals(8, estimate.billedSteps());
        assertTrue(genq.list(null, null, 10).data().isEmpty(), "a dry run creates nothing");

        Job preview = genq.waitFor(genq.submit(JobRequest.of("a red apple").withSamples(4).withSteps(8).withSeed(7)).id(), TIMEOUT);
        assertEquals("succeeded", preview.status());
        assertEquals(4, preview.samples().size());
        for (Job.Sample s : preview.samples()) {
            Pictures.assertPicture(genq.download(s), 32, "sample " + s.index() + " downloaded by the client");
        }

        Job full = genq.waitFor(genq.upscale(preview.id(), 2).id(), TIMEOUT);
        assertEquals("succeeded", full.status());
        assertEquals(preview.id(), full.parentId());
        assertEquals(2, full.parentSample());
        Pictures.assertPicture(genq.download(full.sample(0)), 128, "the upscale downloaded by the client");

        // usage sums exactly what the jobs say they cost (before the canceled job, whose last steps bill as it stops)
        BigDecimal billed = preview.cost().usd().add(full.cost().usd());
        Usage usage = genq.usage(null, null);
        assertEquals(0, billed.compareTo(usage.total().usd()), "usage " + usage.total().usd() + " against jobs " + billed);
        assertEquals(5, usage.total().samples());

        Job running = genq.submit(JobRequest.of("a long pear").withSteps(400).withSamples(1));
        Job canceled = genq.cancel(running.id());
        assertEquals("canceled", canceled.status());

        // pages of one, newest first, followed by their cursors; the iterable walks the same order
        JobPage first = genq.list(null, null, 1);
        assertEquals(canceled.id(), first.data().get(0).id());
        assertNotNull(first.nextCursor());
        JobPage second = genq.list(null, first.nextCursor(), 1);
        assertEquals(full.id(), second.data().get(0).id());
        JobPage third = genq.list(null, second.nextCursor(), 1);
        assertEquals(preview.id(), third.data().get(0).id());
        assertNull(third.nextCursor());
        List<Object> all = new ArrayList<>();
        genq.jobs(null).forEach(j -> all.add(j.id()));
        assertEquals(List.of(canceled.id(), full.id(), preview.id()), all);
        assertEquals(List.of(full.id(), preview.id()), genq.list("succeeded", null, 10).data().stream().map(Job::id).toList());

    }

    @Test
    void aRefusalIsAProblemWithItsStableCodeAndCreatesNothing() {
        GenqClient genq = client(platform.newTenant(""));
        GenqException e = assertThrows(GenqException.class, () -> genq.submit(JobRequest.of("too long").withSteps(100000)));
        assertEquals(400, e.status());
        assertEquals("steps_out_of_range", e.code());
        assertTrue(genq.list(null, null, 10).data().isEmpty());
        GenqException missing = assertThrows(GenqException.class, () -> genq.get(java.util.UUID.randomUUID()));
        assertEquals(404, missing.status());
        assertEquals("job_not_found", missing.code());
        GenqException wrongKey = assertThrows(GenqException.class,
                () -> client("gq_not-a-key-000000000000000000000000000").list(null, null, 1));
        assertEquals(401, wrongKey.status());
    }

    @Test
    void aRetryAfterALostAnswerGetsTheSameJobNotASecond() throws Exception {
        String key = platform.newTenant("");
        // a proxy that passes the first submit to the gateway, then loses its answer (503 to the client)
        AtomicInteger submits = new AtomicInteger();
        HttpClient upstream = HttpClient.newHttpClient();
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", ex -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(platform.gatewayUrl + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes()));
            for (String h : List.of("Authorization", "Content-Type", "Idempotency-Key", "Prefer")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    b.header(h, v);
                }
            }
            try {
                HttpResponse<byte[]> r = upstream.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                boolean lose = "POST".equals(ex.getRequestMethod()) && ex.getRequestURI().getPath().equals("/v1/jobs")
                        && submits.incrementAndGet() == 1;
                byte[] body = lose ? new byte[0] : r.body();
                ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/json"));
                ex.sendResponseHeaders(lose ? 503 : r.statusCode(), body.length == 0 ? -1 : body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        proxy.start();
        try {
            GenqClient genq = GenqClient.builder("http://127.0.0.1:" + proxy.getAddress().getPort(), key)
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
            Job job = genq.submit(JobRequest.of("a lost answer").withSteps(2).withSamples(1));
            assertEquals(2, submits.get(), "the first answer was lost, the retry answered");
            List<Job> jobs = client(key).list(null, null, 10).data();
            assertEquals(1, jobs.size(), "one job for two attempts: " + jobs);
            assertEquals(jobs.get(0).id(), job.id());
        } finally {
            proxy.stop(0);
        }
    }

    @Test
    void aRealDeliveryVerifiesWithTheClientsVerifierAndATamperedOneDoesNot() throws Exception {
        String key = platform.newTenant("");
        String secret = platform.get(key, "/v1/webhooks/secret").body().path("secret").asText();
        BlockingQueue<Object[]> deliveries = new ArrayBlockingQueue<>(16);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            var h = ex.getRequestHeaders();
            deliveries.offer(new Object[] {h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"), ex.getRequestBody().readAllBytes()});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            client(key).submit(JobRequest.of("a signed pear").withSteps(2).withSamples(1)
                    .withWebhook("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
            Object[] d = deliveries.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(d, "no delivery within " + TIMEOUT);
            WebhookVerifier verifier = new WebhookVerifier(List.of(secret));
            verifier.verify((String) d[0], (String) d[1], (String) d[2], (byte[]) d[3]);
            byte[] tampered = ((byte[]) d[3]).clone();
            tampered[tampered.length / 2] ^= 1;
            assertThrows(WebhookVerifier.InvalidWebhookException.class,
                    () -> verifier.verify((String) d[0], (String) d[1], (String) d[2], tampered));
        } finally {
            receiver.stop(0);
        }
    }

    /** Every field the client reads is one the gateway's OpenAPI document declares for that schema. */
    @Test
    void theClientsRecordsMatchTheOpenApiDocument() {
        var doc = platform.send(HttpRequest.newBuilder(URI.create(platform.gatewayUrl + "/q/openapi?format=json")).GET().build()).body();
        var schemas = doc.path("components").path("schemas");
        Map<Class<?>, String> pairs = Map.of(Job.class, "JobView", Job.Sample.class, "SampleView", Job.Params.class, "Params",
                JobPage.class, "JobPage", Estimate.class, "JobEstimate", Usage.class, "UsageReport", JobRequest.class, "SubmitJob");
        List<String> missing = new ArrayList<>();
        pairs.forEach((type, schema) -> {
            var properties = schemas.path(schema).path("properties");
            assertTrue(properties.size() > 0, "no schema " + schema + " in the OpenAPI document");
            for (var c : type.getRecordComponents()) {
                String name = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
                if (!properties.has(name)) {
                    missing.add(schema + "." + name);
                }
            }
        });
        assertEquals(List.of(), missing, "client fields the API does not declare");
    }
}
