package dev.genq.gateway.webhook;

import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.storage.retry.PollingLoop;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Sends due webhook deliveries: signs each attempt afresh (new timestamp, every live secret), never follows
 * redirects (a 3xx is a failure), and records the outcome. Up to {@code concurrency} sends at once, at most
 * {@code per-tenant-concurrency} of them for one tenant, each within {@code request-timeout} from connect to
 * the answer's headers, connected to the address the SSRF guard checked.
 */
@ApplicationScoped
public class WebhookDispatcher {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    private final WebhookDeliveries deliveries;
    private final WebhookSecrets secrets;
    private final WebhookUrlGuard guard;
    private final WebhookSettings settings;
    private final GatewayMeters meters;
    private final Vertx vertx;
    private final PollingLoop loop;
    private Semaphore slots;
    private ExecutorService senders;
    private HttpClient http;

    public WebhookDispatcher(WebhookDeliveries deliveries, WebhookSecrets secrets, WebhookUrlGuard guard,
                             WebhookSettings settings, GatewayMeters meters, Vertx vertx) {
        this.vertx = vertx;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.guard = guard;
        this.settings = settings;
        this.meters = meters;
        this.loop = new PollingLoop("genq-webhook-dispatcher", settings.pollInterval(), settings.failureBackoff(), this::dispatchDue);
    }

    void start(@Observes StartupEvent ignored) {
        if (settings.lease().compareTo(settings.requestTimeout().multipliedBy(2)) < 0) {
            throw new IllegalStateException("genq.webhooks.lease (" + settings.lease() + ") must be at least twice "
                    + "genq.webhooks.request-timeout (" + settings.requestTimeout() + "): a lease that ends while its "
                    + "attempt still runs lets another gateway send the same delivery at the same time");
        }
        slots = new Semaphore(settings.concurrency());
        senders = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "genq-webhook-sender");
            t.setDaemon(true);
            return t;
        });
        // one connection per attempt (no pool to poison), SNI and certificate checks against the URL's host while
        // the socket goes to the address the guard checked
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setForceSni(true).setVerifyHost(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis()).setMaxPoolSize(settings.concurrency()));
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(5));
        if (senders != null) {
            senders.shutdown();
            senders.awaitTermination(settings.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
    }

    public void wake() {
        loop.wake();
    }

    /** One round: claims as many due deliveries as there are free senders and hands them over. */
    private boolean dispatchDue() throws InterruptedException {
        int free = slots.availablePermits();
        if (free == 0) {
            return true; // every sender busy; a finishing one wakes the loop
        }
        for (WebhookDeliveries.Claim claim : deliveries.claimDue(free)) {
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
        return true;
    }

    private void attempt(WebhookDeliveries.Claim claim) {
        WebhookDeliveries.Result result = send(claim);
        meters.webhookAttempt(result.succeeded(), result.status()).increment();
        try {
            deliveries.record(claim, result);
        } catch (RuntimeException e) {
            // the lease expires and the delivery is tried again: at least once, never lost
            LOG.warnf("webhook %s: attempt not recorded (%s); it will be retried when its lease ends", claim.id(), e.getMessage());
        }
    }

    WebhookDeliveries.Result send(WebhookDeliveries.Claim claim) {
        long started = System.nanoTime();
        WebhookUrlGuard.Verdict verdict = guard.verdict(claim.url());
        if (verdict.refusal() != null) {
            return new WebhookDeliveries.Result(null, null, "refused: " + verdict.refusal().message(), 0);
        }
        try {
            long timestamp = Instant.now().getEpochSecond();
            List<String> live = secrets.live(claim.tenantId()).stream().map(WebhookSecrets.LiveSecret::secret).toList();
            URI uri = verdict.target().uri();
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(claim.url())
                    .setServer(SocketAddress.inetSocketAddress(port, verdict.target().address().getHostAddress()))
                    .setFollowRedirects(false)
                    .putHeader("content-type", "application/json")
                    .putHeader("user-agent", "genq-webhooks/1")
                    .putHeader("webhook-id", claim.id())
                    .putHeader("webhook-timestamp", Long.toString(timestamp))
                    .putHeader("webhook-signature", WebhookSigner.signatureHeader(live, claim.id(), timestamp, claim.payload()));
            Answer answer = sendWithin(request, claim.payload(), settings.requestTimeout());
            return new WebhookDeliveries.Result(answer.status(), retryAfter(answer.retryAfter()), null, millisSince(started));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WebhookDeliveries.Result(null, null, "interrupted", millisSince(started));
        } catch (Exception e) {
            return new WebhookDeliveries.Result(null, null, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), millisSince(started));
        }
    }

    /** What an attempt needs from the answer: its status and Retry-After. */
    private record Answer(int status, String retryAfter) {
    }

    /**
     * The exchange up to the answer's headers, within {@code deadline} from the connect. The body is never
     * read (the status is the answer), so a receiver that trickles it holds nothing; one that trickles its
     * headers is cut off at the deadline. Either way the connection is closed when the attempt ends.
     */
    private Answer sendWithin(RequestOptions options, String payload, Duration deadline) throws Exception {
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        CompletableFuture<Answer> answer = http.request(options)
                .compose(request -> {
                    sent.set(request);
                    request.exceptionHandler(ignored -> { }); // failures reach the response's future; a reset is ours
                    // the answer is the response, not the write's acknowledgement: a receiver may answer and close
                    // the connection before the client has seen its write complete
                    request.end(Buffer.buffer(payload));
                    return request.response();
                })
                .map(response -> {
                    Answer got = new Answer(response.statusCode(), response.getHeader("retry-after"));
                    try {
                        response.exceptionHandler(ignored -> { }); // the reset below ends its body on purpose
                    } catch (IllegalStateException ended) {
                        // a bodiless answer can have ended before this runs (Vert.x then refuses a handler:
                        // "Response already ended"); the answer stands, and there is no body left to cut off
                    }
                    return got;
                })
                .toCompletionStage().toCompletableFuture();
        try {
            return answer.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer within " + deadline.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset(); // closes the connection: nothing more is read from it
            }
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
