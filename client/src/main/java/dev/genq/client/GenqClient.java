package dev.genq.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A client of one genq gateway with one API key. Every call is bounded (a request timeout, a retry limit) and
 * retried with jittered exponential backoff on connection failures, 429 (honouring Retry-After up to
 * {@code maxRetryAfter}) and 502/503/504. Creating calls (submit, upscale, vary) carry one {@code Idempotency-Key}
 * through all their attempts, so a retry after a lost answer gets the same job, never a second one.
 *
 * <pre>{@code
 * GenqClient genq = GenqClient.builder("http://127.0.0.1:8080", System.getenv("GENQ_KEY")).build();
 * Job job = genq.waitFor(genq.submit(JobRequest.of("a grinning cat")).id(), Duration.ofMinutes(2));
 * byte[] png = genq.download(job.sample(0));
 * }</pre>
 */
public final class GenqClient {
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
    private static final Set<Integer> RETRIED = Set.of(429, 502, 503, 504);

    private final URI base;
    private final String key;
    private final HttpClient http;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxRetryAfter;
    private final Duration requestTimeout;

    private GenqClient(Builder b) {
        this.base = URI.create(b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl);
        this.key = b.apiKey;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build(); // never forward the key to another host
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.requestTimeout = b.requestTimeout;
    }

    /** @param baseUrl the gateway, e.g. {@code http://127.0.0.1:8080}; @param apiKey a client key ({@code gq_...}) */
    public static Builder builder(String baseUrl, String apiKey) {
        return new Builder(baseUrl, apiKey);
    }

    /** Queues a job; answers at once with it (status {@code queued}, or a replay's current state). */
    public Job submit(JobRequest request) {
        return send("POST", "/v1/jobs", request, Job.class, Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    }

    /**
     * Queues a job and holds the answer until it settles or {@code wait} (at most 60 s, the server's cap) passed
     * ({@code Prefer: wait}); the job may still be running when it returns: see {@link #waitFor}.
     */
    public Job submit(JobRequest request, Duration wait) {
        long seconds = Math.max(1, Math.min(60, wait.toSeconds()));
        return send("POST", "/v1/jobs", request, Job.class, Map.of("Idempotency-Key", UUID.randomUUID().toString(),
                "Prefer", "wait=" + seconds), Duration.ofSeconds(seconds).plus(requestTimeout));
    }

    /** What the job would cost and how long it would wait, from a dry run: nothing is created or reserved. */
    public Estimate estimate(JobRequest request) {
        return send("POST", "/v1/jobs", request.asDryRun(), Estimate.class, Map.of());
    }

    public Job get(UUID id) {
        return send("GET", "/v1/jobs/" + id, null, Job.class, Map.of());
    }

    /** One page of the tenant's jobs, newest first. @param status comma-separated statuses, or null for all */
    public JobPage list(String status, String cursor, int limit) {
        StringBuilder path = new StringBuilder("/v1/jobs?limit=").append(limit);
        if (status != null) {
            path.append("&status=").append(URLEncoder.encode(status, StandardCharsets.UTF_8));
        }
        if (cursor != null) {
            path.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        return send("GET", path.toString(), null, JobPage.class, Map.of());
    }

    /** Every job of the tenant, newest first, fetched a page of 100 at a time as the iteration goes. */
    public Iterable<Job> jobs(String status) {
        return () -> new Iterator<>() {
            JobPage page = list(status, null, 100);
            int next;

            @Override
            public boolean hasNext() {
                while (next == page.data().size() && page.nextCursor() != null) {
                    page = list(status, page.nextCursor(), 100);
                    next = 0;
                }
                return next < page.data().size();
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.data().get(next++);
            }
        };
    }

    /** Stops a job: a queued one never starts, a running one at its next step (and pays for the steps it ran). */
    public Job cancel(UUID id) {
        try {
            return send("POST", "/v1/jobs/" + id + "/cancel", Map.of(), Job.class, Map.of());
        } catch (GenqException e) {
            Job now = e.status() == 409 ? get(id) : null; // a retry after a lost answer finds it canceled already
            if (now != null && "canceled".equals(now.status())) {
                return now;
            }
            throw e;
        }
    }

    /** A full job that upscales one released sample of a preview job; it carries parentId and parentSample. */
    public Job upscale(UUID id, int sample) {
        return send("POST", "/v1/jobs/" + id + "/upscale", Map.of("sample", sample), Job.class,
                Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    }

    /** A preview job re-noising one released sample to {@code strength} (0 keeps it, 1 a fresh image) and denoising it. */
    public Job vary(UUID id, int sample, double strength) {
        return send("POST", "/v1/jobs/" + id + "/variations", Map.of("sample", sample, "strength", strength), Job.class,
                Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    }

    /** Deletes a finished job: its images, its prompt; its cost stays in usage. Deleting a deleted job is done. */
    public void delete(UUID id) {
        try {
            send("DELETE", "/v1/jobs/" + id, null, Void.class, Map.of());
        } catch (GenqException e) {
            if (e.status() != 404 || !"job_not_found".equals(e.code())) {
                throw e;
            }
        }
    }

    /** Usage per UTC day and model between two dates (inclusive); nulls take the server's default (last 30 days). */
    public Usage usage(LocalDate from, LocalDate to) {
        Map<String, String> q = new LinkedHashMap<>();
        if (from != null) {
            q.put("from", from.toString());
        }
        if (to != null) {
            q.put("to", to.toString());
        }
        String query = q.isEmpty() ? "" : "?" + String.join("&", q.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        return send("GET", "/v1/usage" + query, null, Usage.class, Map.of());
    }

    /**
     * Follows the job on its event stream until it settles (finished, or waiting for a human reviewer) and answers
     * it as {@link #get} does then. The stream only says when to look: the job is re-read at least every 5 s, so a
     * dropped or refused stream costs latency, never correctness.
     *
     * @throws GenqException status 0, code {@code timeout}, when it has not settled within {@code timeout}
     */
    public Job waitFor(UUID id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Job job = getBefore(id, deadline, timeout);
        if (job.settled()) {
            return job;
        }
        EventStream stream = new EventStream(id);
        try {
            while (!job.settled()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timeout(id, timeout, job.status());
                }
                stream.awaitChange(Math.min(left, TimeUnit.SECONDS.toNanos(5)));
                job = getBefore(id, deadline, timeout);
            }
            return job;
        } finally {
            stream.close();
        }
    }

    /** {@link #get} within what is left before {@code deadline}: no attempt or pause runs past it. */
    private Job getBefore(UUID id, long deadline, Duration timeout) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timeout(id, timeout, "unknown");
        }
        Duration budget = Duration.ofNanos(left);
        return send("GET", "/v1/jobs/" + id, null, Job.class, Map.of(), budget.compareTo(requestTimeout) < 0 ? budget : requestTimeout, deadline);
    }

    private static GenqException timeout(UUID id, Duration timeout, String lastSeen) {
        return new GenqException(0, new GenqException.Problem(null, "Timeout", 0, "job " + id + " did not settle within "
                + timeout + " (last seen " + lastSeen + ")", "timeout", null, null));
    }

    /** The PNG of a released sample: its presigned URL while valid, else its link (which redirects to a fresh one). */
    public byte[] download(Job.Sample sample) {
        if (!sample.released()) {
            throw new IllegalArgumentException("sample " + sample.index() + " is " + sample.status() + ", not released");
        }
        String url = sample.url();
        if (url == null || sample.urlExpiresAt() == null || sample.urlExpiresAt().isBefore(Instant.now().plusSeconds(30))) {
            HttpResponse<String> redirect = exchange(() -> authorized(sample.link()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (redirect.statusCode() != 302) {
                throw problem(redirect);
            }
            url = redirect.headers().firstValue("Location").orElseThrow();
        }
        String presigned = url;
        // no Authorization here: the presigned URL is the credential, and it points at the object store
        HttpResponse<byte[]> png = exchange(() -> HttpRequest.newBuilder(URI.create(presigned)).timeout(requestTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (png.statusCode() != 200) {
            throw new GenqException(png.statusCode(), new GenqException.Problem(null, null, png.statusCode(),
                    "download of sample " + sample.index() + " answered " + png.statusCode(), "download_failed", null, null));
        }
        return png.body();
    }

    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout).header("Authorization", "Bearer " + key)
                .header("Accept", "application/json");
    }

    private <T> T send(String method, String path, Object body, Class<T> type, Map<String, String> headers) {
        return send(method, path, body, type, headers, requestTimeout);
    }

    private <T> T send(String method, String path, Object body, Class<T> type, Map<String, String> headers, Duration timeout) {
        return send(method, path, body, type, headers, timeout, Long.MAX_VALUE);
    }

    private <T> T send(String method, String path, Object body, Class<T> type, Map<String, String> headers, Duration timeout,
                       long deadline) {
        byte[] json = body == null ? null : write(body);
        HttpResponse<String> r = exchange(() -> {
            HttpRequest.Builder b = authorized(path).timeout(timeout);
            headers.forEach(b::header);
            if (json != null) {
                b.header("Content-Type", "application/json");
            }
            return b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(json)).build();
        }, HttpResponse.BodyHandlers.ofString(), deadline);
        if (r.statusCode() >= 400) {
            throw problem(r);
        }
        if (type == Void.class || r.body().isEmpty()) {
            return null;
        }
        try {
            return JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected answer to " + method + " " + path, e);
        }
    }

    private <T> HttpResponse<T> exchange(java.util.function.Supplier<HttpRequest> request, HttpResponse.BodyHandler<T> handler) {
        return exchange(request, handler, Long.MAX_VALUE);
    }

    /**
     * Sends with the retry policy; answers the last response (a refusal included) or throws when none came. No retry
     * starts whose pause would end past {@code deadline} (System.nanoTime; Long.MAX_VALUE: none).
     */
    private <T> HttpResponse<T> exchange(java.util.function.Supplier<HttpRequest> request, HttpResponse.BodyHandler<T> handler,
                                         long deadline) {
        Duration backoff = initialBackoff;
        for (int attempt = 1; ; attempt++) {
            HttpRequest req = request.get();
            Duration pause;
            try {
                HttpResponse<T> r = http.send(req, handler);
                if (attempt >= maxAttempts || !RETRIED.contains(r.statusCode())) {
                    return r;
                }
                pause = r.headers().firstValue("Retry-After").map(GenqClient::seconds)
                        .map(s -> s.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : s).orElse(jitter(backoff));
            } catch (IOException e) {
                if (attempt >= maxAttempts) {
                    throw new GenqException(req.method() + " " + req.uri() + " failed after " + attempt + " attempts: " + e, e);
                }
                pause = jitter(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenqException("interrupted", e);
            }
            if (deadline != Long.MAX_VALUE && System.nanoTime() + pause.toNanos() >= deadline) {
                throw new GenqException(req.method() + " " + req.uri() + " did not answer in time after " + attempt + " attempts", null);
            }
            sleep(pause);
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
    }

    private static Duration seconds(String retryAfter) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1); // an HTTP date: rare from genq; a second is a safe guess
        }
    }

    /** Jitter: uniformly between half the backoff and all of it, so clients that failed together do not retry together. */
    private static Duration jitter(Duration backoff) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2, backoff.toMillis() + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenqException("interrupted", e);
        }
    }

    private static GenqException problem(HttpResponse<String> r) {
        GenqException.Problem p;
        try {
            p = JSON.readValue(r.body(), GenqException.Problem.class);
        } catch (IOException | RuntimeException e) {
            p = null;
        }
        if (p == null || p.code() == null) {
            p = new GenqException.Problem(null, null, r.statusCode(), "HTTP " + r.statusCode(), "http_" + r.statusCode(), null, null);
        }
        return new GenqException(r.statusCode(), p);
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job's Server-Sent Events on a thread of its own; it only signals that the job's status changed. */
    private final class EventStream {
        private volatile CompletableFuture<Void> change = new CompletableFuture<>();
        private volatile Stream<String> lines;
        private volatile boolean closed;
        private final Thread reader;

        EventStream(UUID id) {
            reader = new Thread(() -> {
                try {
                    HttpResponse<Stream<String>> r = http.send(authorized("/v1/jobs/" + id + "/events")
                            .header("Accept", "text/event-stream").timeout(Duration.ofDays(1)).GET().build(),
                            HttpResponse.BodyHandlers.ofLines());
                    try (Stream<String> body = r.body()) {
                        lines = body;
                        if (closed || r.statusCode() != 200) {
                            return; // closed while connecting, or refused: the caller's re-reads carry on
                        }
                        body.forEach(line -> {
                            if (line.startsWith("data:")) {
                                change.complete(null);
                            }
                        });
                    }
                } catch (IOException | RuntimeException e) {
                    // the caller re-reads the job every few seconds anyway
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "genq-events-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        void awaitChange(long nanos) {
            try {
                change.get(nanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // look anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenqException("interrupted", e);
            }
            change = new CompletableFuture<>();
        }

        void close() {
            closed = true;
            reader.interrupt();
            Stream<String> s = lines;
            if (s != null) {
                s.close();
            }
        }
    }

    /** Settings of a client; the defaults suit an interactive caller. */
    public static final class Builder {
        private final String baseUrl;
        private final String apiKey;
        private HttpClient http;
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(250);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration maxRetryAfter = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder(String baseUrl, String apiKey) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        }

        /** Its own HttpClient; it should not follow redirects (the key would go along to the object store). */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        /** Attempts per call, the first included (1 to 10; default 4). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 10) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 10");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The first retry's pause (doubling, jittered, up to {@code max}). */
        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The longest Retry-After honoured as given; a longer one is cut to this (default 30 s). */
        public Builder maxRetryAfter(Duration max) {
            this.maxRetryAfter = max;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public GenqClient build() {
            return new GenqClient(this);
        }
    }
}
