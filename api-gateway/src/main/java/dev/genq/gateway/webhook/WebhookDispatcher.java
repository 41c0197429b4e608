package dev.genq.gateway.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sends due webhook deliveries: signs each attempt afresh (new timestamp, every live secret), never follows
 * redirects (a 3xx is a failure), and records the outcome. Up to {@code concurrency} sends at once.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    private final WebhookDeliveries deliveries;
    private final WebhookSecrets secrets;
    private final WebhookUrlGuard guard;
    private final WebhookSettings settings;
    private final MeterRegistry metrics;
    private final Semaphore wakeups = new Semaphore(0);
    private Semaphore slots;
    private ExecutorService senders;
    private HttpClient http;
    private volatile boolean running;
    private Thread thread;

    public WebhookDispatcher(WebhookDeliveries deliveries, WebhookSecrets secrets, WebhookUrlGuard guard,
                             WebhookSettings settings, MeterRegistry metrics) {
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.guard = guard;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ignored) {
        slots = new Semaphore(settings.concurrency());
        senders = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "genq-webhook-sender");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build(); // its own executor: senders block in send()
        running = true;
        thread = new Thread(this::loop, "genq-webhook-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        wake();
        if (thread != null) {
            thread.join(5_000);
        }
        if (senders != null) {
            senders.shutdown();
            senders.awaitTermination(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
    }

    public void wake() {
        wakeups.release();
    }

    private void loop() {
        long backoff = 0;
        while (running) {
            try {
                wakeups.tryAcquire(backoff > 0 ? backoff : settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeups.drainPermits();
                int free = slots.availablePermits();
                if (!running || free == 0) {
                    continue;
                }
                List<WebhookDeliveries.Claim> claims = deliveries.claimDue(free);
                for (WebhookDeliveries.Claim claim : claims) {
                    slots.acquire();
                    senders.execute(() -> {
                        try {
                            attempt(claim);
                        } finally {
                            slots.release();
                            wake();
                        }
                    });
                }
                backoff = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                backoff = Math.min(10_000, backoff == 0 ? 200 : backoff * 2);
                LOG.warnf("webhook dispatcher: %s; retrying in %d ms", e.getMessage(), backoff);
            }
        }
    }

    private void attempt(WebhookDeliveries.Claim claim) {
        WebhookDeliveries.Result result = send(claim);
        metrics.counter("genq.webhooks.attempts", "outcome", result.succeeded() ? "success"
                : result.status() != null ? "http_" + result.status() / 100 + "xx" : "error").increment();
        try {
            deliveries.record(claim, result);
        } catch (RuntimeException e) {
            // the lease expires and the delivery is tried again: at least once, never lost
            LOG.warnf("webhook %s: attempt not recorded (%s); it will be retried when its lease ends", claim.id(), e.getMessage());
        }
    }

    WebhookDeliveries.Result send(WebhookDeliveries.Claim claim) {
        long started = System.nanoTime();
        var refusal = guard.check(claim.url());
        if (refusal.isPresent()) {
            return new WebhookDeliveries.Result(null, null, "refused: " + refusal.get().message(), 0);
        }
        try {
            long timestamp = Instant.now().getEpochSecond();
            List<String> live = secrets.live(claim.tenantId()).stream().map(s -> s.secret).toList();
            HttpRequest request = HttpRequest.newBuilder(URI.create(claim.url()))
                    .timeout(settings.requestTimeout())
                    .header("content-type", "application/json")
                    .header("user-agent", "genq-webhooks/1")
                    .header("webhook-id", claim.id())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", WebhookSigner.signatureHeader(live, claim.id(), timestamp, claim.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(claim.payload()))
                    .build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            return new WebhookDeliveries.Result(response.statusCode(),
                    retryAfter(response.headers().firstValue("retry-after").orElse(null)), null, millisSince(started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WebhookDeliveries.Result(null, null, "interrupted", millisSince(started));
        } catch (Exception e) {
            return new WebhookDeliveries.Result(null, null, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), millisSince(started));
        }
    }

    /** Retry-After as seconds or as an HTTP date; null if absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(Instant.now(), ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static int millisSince(long startNanos) {
        return (int) ((System.nanoTime() - startNanos) / 1_000_000);
    }
}
