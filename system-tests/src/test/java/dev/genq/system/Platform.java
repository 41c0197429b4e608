package dev.genq.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.local.EmbeddedStack;
import dev.genq.local.ServiceProcess;
import io.minio.MinioClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The whole platform for black-box tests, once per JVM: the embedded stack in this JVM and the three
 * services as separate processes, each started from its packaged fast-jar exactly as in production.
 */
public final class Platform {
    static final ObjectMapper JSON = new ObjectMapper();
    private static Platform instance;
    private MinioClient s3;
    private static RuntimeException startFailure;

    final EmbeddedStack stack;
    /** Receives the spans every service exports, as a collector would. */
    final TraceCollector traces;
    final String gatewayUrl;
    final String workerUrl;
    final String moderationUrl;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The gateway's bootstrap client key (random per run, registered through configuration as an operator would). */
    final String clientKey = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    /** The gateway's bootstrap admin key: tests create other tenants with it, through the admin API. */
    final String adminKey = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    /** Seals webhook secrets; one per run, so every gateway of the run (and its restarts) opens them. */
    private final String sealingKey = dev.genq.local.SealingKeys.forOneRun();
    private final String provenanceSealingKey = dev.genq.local.SealingKeys.forOneRun();
    static final String GATEWAY = "api-gateway";
    static final String WORKER = "worker";
    static final String MODERATION = "moderation";

    /** The running service processes by module name. */
    private final Map<String, ServiceProcess> services = new java.util.concurrent.ConcurrentHashMap<>();
    /** Settings a test put on top of a service's test settings ({@link #restartWith}). */
    private final Map<String, Map<String, String>> overrides = new java.util.concurrent.ConcurrentHashMap<>();
    private final Path root;
    private final Path logs;
    private boolean closed;
    private final int gatewayPort;
    private final int workerPort;
    private final int moderationPort;

    private Platform() {
        this(1, "service-logs");
    }

    /** A platform of its own on a Kafka cluster of {@code kafkaBrokers}; its services log to {@code logDir}. */
    private Platform(int kafkaBrokers, String logDir) {
        root = Path.of(System.getProperty("genq.root", "..")).toAbsolutePath().normalize();
        stack = EmbeddedStack.startTemporary(kafkaBrokers);
        traces = new TraceCollector();
        gatewayPort = EmbeddedStack.freePort();
        gatewayUrl = "http://127.0.0.1:" + gatewayPort;
        workerPort = EmbeddedStack.freePort();
        workerUrl = "http://127.0.0.1:" + workerPort;
        moderationPort = EmbeddedStack.freePort();
        moderationUrl = "http://127.0.0.1:" + moderationPort;
        logs = root.resolve("system-tests/target/" + logDir);
        try {
            Files.createDirectories(logs);
            for (String module : List.of(GATEWAY, WORKER, MODERATION)) {
                launch(module);
            }
            for (ServiceProcess p : services.values()) {
                awaitReady(p, Duration.ofSeconds(180));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "genq-platform-shutdown"));
    }

    /**
     * A second platform, not shared, on three Kafka brokers (replication factor 3, min ISR 2): for the tests
     * that kill a broker. The caller closes it ({@link #shutdown()}).
     */
    static Platform onThreeBrokers() {
        return new Platform(3, "service-logs-3-brokers");
    }

    /** Stops a platform of {@link #onThreeBrokers()}: its services and its stack. */
    void shutdown() {
        close();
    }

    /** Starts the platform once; if that failed, every later caller gets the same failure. */
    static synchronized Platform get() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null) {
            try {
                instance = new Platform();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /** Starts one service's process with its test settings (not waiting for it to be ready). */
    private void launch(String module) throws IOException {
        ServiceProcess p = switch (module) {
            // webhook receivers on 127.0.0.1 allowed, a fast retry schedule, and a short lease so a
            // delivery held by a killed gateway is taken up again quickly (at least twice the 2 s attempt deadline)
            case GATEWAY -> start(root, GATEWAY, gatewayPort, logs, Map.ofEntries(Map.entry("genq.auth.bootstrap.client-key", clientKey),
                    Map.entry("genq.auth.bootstrap.admin-key", adminKey),
                    Map.entry("genq.webhooks.allowed-hosts", "127.0.0.1"),
                    Map.entry("genq.webhooks.retry-schedule", "PT1S,PT1S,PT1S,PT1S,PT1S,PT1S"),
                    Map.entry("genq.webhooks.lease", "PT5S"), Map.entry("genq.webhooks.request-timeout", "PT2S"),
                    Map.entry("genq.recovery.sweep-interval", "PT1S"), Map.entry("genq.jobs.default-model", "tiny-base"),
                    Map.entry("genq.webhooks.secret-keys", sealingKey)));
            // a longer batching window than production's 20 ms, so that jobs submitted together batch
            // together; progress written at every step, so steps_done is exact when a cancel freezes it;
            // a 3 s lease, so the jobs of a killed worker are queued again quickly; a short retry budget
            // (3 attempts, object-store calls retried 3 times) so the outage tests can exhaust it
            // next to the working fixtures, the broken ones of models/fixtures/make_faulty.py (OutputIntegrityTest)
            case WORKER -> start(root, WORKER, workerPort, logs, Map.of("genq.worker.model-paths",
                    String.join(",", Stream.of("tiny-base", "tiny-sr", "tiny-nan", "tiny-flat", "tiny-v2", "tiny-sd")
                            .map(m -> root.resolve("models/fixtures/" + m).toString()).toList()),
                    "genq.worker.unprobed-packages", "tiny-nan,tiny-flat",
                    "genq.worker.batch.max-wait", "PT0.3S", "genq.worker.batch.progress-interval", "PT0S",
                    "genq.worker.lease", "PT3S", "genq.worker.super-resolution-model", "tiny-sr",
                    "genq.worker.max-attempts", "3", "genq.worker.max-backoff", "PT2S",
                    "quarkus.fault-tolerance.\"dev.genq.storage.objectstore.ObjectStore\".retry.max-retries", "3"));
            case MODERATION -> start(root, MODERATION, moderationPort, logs, Map.of("genq.moderation.classifier.path",
                    root.resolve("models/fixtures/tiny-safety").toString(),
                    "genq.moderation.quality.judge", root.resolve("models/emoji-judge").toString(),
                    "genq.provenance.sealing-keys", provenanceSealingKey));
            default -> throw new IllegalArgumentException(module);
        };
        services.put(module, p);
    }

    /** Kills a service with SIGKILL in whatever it is doing (no shutdown hook runs); its log is kept aside. */
    void kill(String module) {
        stop(module, true);
    }

    /** Stops a service cleanly (SIGTERM), as an operator or a rolling deploy would. */
    void stop(String module) {
        stop(module, false);
    }

    private void stop(String module, boolean kill) {
        ServiceProcess p = services.remove(module);
        if (p == null) {
            return;
        }
        if (kill) {
            p.kill();
        } else {
            p.stop(Duration.ofSeconds(30));
        }
        try {
            Files.move(p.log(), logs.resolve(module + "-before-" + (kill ? "kill" : "stop") + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a stopped or killed service again on its port and waits until it is ready. */
    void restart(String module) {
        try {
            launch(module);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        awaitReady(services.get(module), Duration.ofSeconds(120));
    }

    /**
     * Stops a service cleanly and starts it again with {@code settings} on top of its test settings (an
     * operator changing its configuration); an empty map restores the test settings.
     */
    void restartWith(String module, Map<String, String> settings) {
        overrides.put(module, Map.copyOf(settings));
        stop(module);
        restart(module);
    }

    /** Kills the worker with SIGKILL in whatever it is doing, then starts a new one and waits until it is ready. */
    void killAndRestartWorker() {
        kill(WORKER);
        restart(WORKER);
    }

    /** Kills the gateway with SIGKILL, starts it again on the same port, waits until ready. */
    void killAndRestartGateway() {
        kill(GATEWAY);
        restart(GATEWAY);
    }

    private ServiceProcess start(Path root, String module, int port, Path logs, Map<String, String> extra) throws IOException {
        Map<String, String> props = new java.util.HashMap<>(extra);
        // traces on, exported over OTLP/HTTP to this JVM's collector, in small batches so a test sees them soon
        props.putAll(Map.of("quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", traces.endpoint(),
                "quarkus.otel.bsp.schedule.delay", "200ms"));
        props.putAll(overrides.getOrDefault(module, Map.of()));
        return ServiceProcess.start(root, module, port, stack, List.of("-Xmx512m", "-XX:+UseSerialGC"), props, Map.of(),
                logs.resolve(module + ".log"));
    }

    /** Waits for one service, failing early (with every log's tail) if any service died. */
    private void awaitReady(ServiceProcess service, Duration timeout) {
        for (ServiceProcess p : services.values()) {
            if (!p.isAlive()) {
                throw new IllegalStateException(p.module() + " exited with code " + p.exitValue() + ":\n" + tails(logs));
            }
        }
        try {
            service.awaitReady(timeout);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ":\n" + tails(logs), e);
        }
    }

    private static String tails(Path logs) {
        StringBuilder out = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                out.append("---- ").append(f.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- HTTP helpers

    record Reply(int status, String contentType, JsonNode body, String raw, java.net.http.HttpHeaders headers) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** A request to the gateway with the client key. */
    HttpRequest.Builder api(String path) {
        return api(clientKey, path);
    }

    /** A request to the gateway with this key. */
    HttpRequest.Builder api(String key, String path) {
        return HttpRequest.newBuilder(URI.create(gatewayUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
    }

    Reply post(String path, String json) {
        return post(clientKey, path, json);
    }

    Reply post(String key, String path, String json) {
        return send(api(key, path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Reply get(String path) {
        return get(clientKey, path);
    }

    Reply get(String key, String path) {
        return send(api(key, path).GET().build());
    }

    /**
     * A new tenant (through the admin API, as an operator would) with {@code quotas} (the admin API's tenant fields,
     * e.g. {@code "weight":2}), and a client key of it. @return the raw key
     */
    String newTenant(String quotas) {
        Reply t = post(adminKey, "/v1/admin/tenants", "{\"name\":\"t-" + java.util.UUID.randomUUID() + "\"" + (quotas.isEmpty() ? "" : "," + quotas) + "}");
        if (t.status() != 201) {
            throw new AssertionError("create tenant answered " + t.status() + ": " + t.raw());
        }
        Reply k = post(adminKey, "/v1/admin/tenants/" + t.body().path("id").asText() + "/keys",
                "{\"name\":\"client\",\"roles\":[\"client\"],\"rate_limit_per_second\":1000}");
        if (k.status() != 201) {
            throw new AssertionError("create key answered " + k.status() + ": " + k.raw());
        }
        return k.body().path("key").asText();
    }

    /** POST /v1/uploads with the raw bytes of an image. */
    Reply upload(byte[] image, String contentType) {
        return send(api("/v1/uploads").header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
    }

    /** The worker's Prometheus metrics as text. */
    String workerMetrics() {
        return metrics(workerUrl);
    }

    /** A service's Prometheus metrics as text. */
    String metrics(String serviceUrl) {
        return send(HttpRequest.newBuilder(URI.create(serviceUrl + "/q/metrics")).timeout(Duration.ofSeconds(30)).GET().build()).raw();
    }

    Path root() {
        return root;
    }

    byte[] download(String url) {
        try {
            var r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    Reply send(HttpRequest request) {
        try {
            var r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = r.body().isEmpty() ? null : JSON.readTree(r.body());
            } catch (IOException e) {
                // not JSON; the raw text is kept
            }
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), body, r.body(), r.headers());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    String submit(String json) {
        Reply r = post("/v1/jobs", json);
        if (r.status() != 202) {
            throw new AssertionError("submit answered " + r.status() + ": " + r.raw());
        }
        return r.body().path("id").asText();
    }

    /** Polls the job until {@code done} holds, for at most {@code timeout}. */
    JsonNode awaitJob(String id, Duration timeout, Predicate<JsonNode> done) {
        return awaitJob(clientKey, id, timeout, done);
    }

    /** Polls a job of the tenant of {@code key} until {@code done} holds, for at most {@code timeout}. */
    JsonNode awaitJob(String key, String id, Duration timeout, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = get(key, "/v1/jobs/" + id).body();
            if (done.test(job)) {
                return job;
            }
            sleep(100);
        }
        throw new AssertionError("job " + id + " did not get there within " + timeout + "; last seen: " + job);
    }

    JsonNode awaitStatus(String id, String status, Duration timeout) {
        return awaitStatus(clientKey, id, status, timeout);
    }

    JsonNode awaitStatus(String key, String id, String status, Duration timeout) {
        return awaitJob(key, id, timeout, j -> status.equals(j.path("status").asText()));
    }

    // ---------------------------------------------------------------- direct access to the stack

    Connection db() throws SQLException {
        return stack.openConnection();
    }

    long count(String sql, Object... args) {
        try (Connection c = db(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A timestamp the query returns (its first column of its first row). */
    java.time.Instant timestamp(String sql, Object... args) {
        try (Connection c = db(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            try (var rs = st.executeQuery()) {
                if (!rs.next() || rs.getTimestamp(1) == null) {
                    throw new AssertionError("no timestamp for " + sql);
                }
                return rs.getTimestamp(1).toInstant();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String text(String sql, Object... args) {
        try (Connection c = db(); var st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            try (var rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new AssertionError("no row for " + sql);
                }
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One client for the whole run: building one reads every certificate under SSL_CERT_DIR / SSL_CERT_FILE
     * when those are set (the MinIO SDK trusts them), about half a second of CPU each, which a client per
     * call turned into minutes of a fault test's budget (KafkaRestartTest checks 2 buckets for ~70 jobs).
     */
    synchronized MinioClient s3() {
        if (s3 == null) {
            s3 = MinioClient.builder().endpoint(stack.s3Endpoint())
                    .credentials(EmbeddedStack.S3_ACCESS_KEY, EmbeddedStack.S3_SECRET_KEY).build();
        }
        return s3;
    }

    /** The keys a job has in a bucket (its objects live under {@code tenant/job/}). */
    List<String> objects(String bucket, String jobId) {
        String prefix = text("select tenant_id::text from jobs where id = ?", java.util.UUID.fromString(jobId)) + "/" + jobId + "/";
        List<String> keys = new ArrayList<>();
        try {
            for (io.minio.Result<io.minio.messages.Item> r : s3().listObjects(io.minio.ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                keys.add(r.get().objectName());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ServiceProcess.stopAll(services.values(), Duration.ofSeconds(20));
        services.clear();
        stack.close();
        traces.close();
    }
}
