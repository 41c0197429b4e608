package dev.genq.bench;

import dev.genq.local.EmbeddedStack;
import dev.genq.local.SealingKeys;
import dev.genq.local.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The platform benchmark: the packaged services as processes on the embedded stack, all on this
 * machine's loopback, measured in one run so the ratios compare like with like. Prints a Markdown
 * report (and writes it to bench/platform/target/platform-bench.md):
 * <ol>
 *   <li>end-to-end platform overhead of 1-step jobs: (finished − created) − inference time;</li>
 *   <li>worker scale-out: a backlog drained by 1, then 2 worker processes on the same topics;</li>
 *   <li>fairness: a tenant's few jobs behind another's backlog, first-come beside fair dispatch; the dispatcher's
 *   cost per job with 1,000 and 100,000 jobs waiting ({@link FairnessPhase});</li>
 *   <li>the floor (a bare Postgres insert + Kafka produce) next to {@code POST /v1/jobs}, both closed-loop;</li>
 *   <li>open-loop {@code POST /v1/jobs} and {@code GET /v1/jobs/{id}} at fixed rates: p50/p99 latency.</li>
 * </ol>
 * Options (system properties): {@code -Dsmoke=true} (a short run for CI), {@code -Dseconds}, {@code -Drates},
 * {@code -Dthreads}, {@code -Dwarmup} (seconds of unreported load before the overhead and submit phases),
 * {@code -DoverheadJobs}, {@code -DscaleJobs}, {@code -DscaleSteps}.
 */
public final class PlatformBench {
    private final Path root;
    private final boolean smoke = Boolean.getBoolean("smoke");
    private final double seconds = Double.parseDouble(System.getProperty("seconds", smoke ? "2" : "10"));
    private final List<Double> rates = Arrays.stream(System.getProperty("rates", smoke ? "100" : "250,500,1000,1500")
            .split(",")).map(Double::parseDouble).toList();
    private final int threads = Integer.getInteger("threads", 8);
    private final double warmupSeconds = Double.parseDouble(System.getProperty("warmup", smoke ? "2" : "20"));
    private final int overheadJobs = Integer.getInteger("overheadJobs", smoke ? 20 : 200);
    private final int scaleJobs = Integer.getInteger("scaleJobs", smoke ? 4 : 40);
    private final int scaleSteps = Integer.getInteger("scaleSteps", 20);
    private final String key = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    /** One for the run: moderation restarts between phases over the same database. */
    private final String provenanceSealingKey = SealingKeys.forOneRun();
    private final String adminKey = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    // the bench measures the platform, not its per-key rate limit or per-tenant concurrency quota
    private final Map<String, String> gatewaySettings = Map.of(
            "genq.rate-limit.requests-per-second", "1000000", "genq.quotas.default-max-concurrent-jobs", "100000000",
            "genq.jobs.default-model", "tiny-base", "genq.webhooks.secret-keys", SealingKeys.forOneRun());
    private final HttpClient http = OpenLoop.client();
    private final StringBuilder report = new StringBuilder();
    private EmbeddedStack stack;
    private ServiceProcess gateway;
    private final List<ServiceProcess> services = new ArrayList<>();

    private PlatformBench(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        PlatformBench bench = new PlatformBench(root);
        int code = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            code = 1;
        } finally {
            bench.close();
        }
        System.exit(code);
    }

    private void run() throws Exception {
        stack = EmbeddedStack.startTemporary();
        gateway = start("api-gateway", gatewaySettings, gatewayEnv());
        ServiceProcess worker = start("worker", workerSettings());
        ServiceProcess moderation = start("moderation", moderationSettings());
        for (ServiceProcess s : services) {
            s.awaitReady(Duration.ofMinutes(3));
        }
        line("# genq platform bench%s", smoke ? " (smoke run)" : "");
        line("");
        line("%s; %d cores, Java %s; started %s. Everything (stack, services, load generator) on this machine, over loopback.",
                machine(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Instant.now());
        line("");

        overhead(worker, moderation);
        scaleOut(worker);

        // production runs the workers on other machines: the submit path is measured without them on these cores, and
        // on the gateway that has run since the start (a gateway restarted just before spends its first minutes
        // compiling: in a JFR profile its JIT threads still took a third of its CPU a minute after the restart)
        List<ServiceProcess> pipeline = List.of(worker, moderation);
        ServiceProcess.stopAll(pipeline, Duration.ofSeconds(20));
        services.removeAll(pipeline);
        floorAndSubmit();
        openLoop();
        cancelWaiting();

        startPipeline();
        FairnessPhase fairness = new FairnessPhase(fairnessHost(), http, adminKey, smoke ? 30 : 300, smoke ? 3 : 5);
        fairness.waits();
        fairness.cacheHits(smoke ? 10 : 100);
        List<ServiceProcess> others = services.stream().filter(s -> s != gateway).toList();
        ServiceProcess.stopAll(others, Duration.ofSeconds(20));
        services.removeAll(others);
        fairness.dispatchCost(smoke ? new int[] {1_000, 10_000} : new int[] {1_000, 100_000}, smoke ? 300 : 3_000);
        System.out.println(report);
        Path out = root.resolve("bench/platform/target/platform-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("(written to " + out + ")");
    }

    // ---------------------------------------------------------------- 1. overhead

    private void overhead(ServiceProcess worker, ServiceProcess moderation) throws Exception {
        String prompt = "overhead " + UUID.randomUUID();
        double rate = 10;
        // warm-up: JIT of all three services and TorchScript's profiling runs; not reported
        String warm = "warm-up " + UUID.randomUUID();
        new OpenLoop(http).run(rate * 2, warmupSeconds, i -> submit(warm, 1));
        awaitSucceeded(warm, (int) Math.round(rate * 2 * warmupSeconds), Duration.ofMinutes(5));
        String before = get(worker.url() + "/q/metrics") + get(moderation.url() + "/q/metrics");
        new OpenLoop(http).run(rate, overheadJobs / rate, i -> submit(prompt, 1));
        awaitSucceeded(prompt, overheadJobs, Duration.ofMinutes(5));
        List<double[]> rows = query("""
                select extract(epoch from (j.finished_at - j.created_at)),
                       (select coalesce(sum(c.compute_seconds), 0) from sample_costs c where c.job_id = j.id),
                       extract(epoch from (j.started_at - j.created_at)),
                       extract(epoch from ((select max(s.created_at) from samples s where s.job_id = j.id) - j.started_at)),
                       extract(epoch from (j.finished_at - (select max(s.created_at) from samples s where s.job_id = j.id)))
                from jobs j where j.prompt = ? and j.status = 'succeeded'""", prompt);
        long[] e2e = column(rows, 0);
        long[] compute = column(rows, 1);
        long[] overhead = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            overhead[i] = e2e[i] - compute[i];
        }
        line("## Platform overhead (1-step jobs, %d jobs at %.0f/s, batching window 20 ms)", rows.size(), rate);
        line("");
        line("| | p50 ms | p99 ms |");
        line("|---|---:|---:|");
        row("created → succeeded (released by moderation)", new Latencies(e2e));
        row("inference (the job's compute seconds)", new Latencies(compute));
        row("**overhead** = the difference", new Latencies(overhead));
        row("of which: created → taken by a worker (relay, Kafka, consumer)", new Latencies(column(rows, 2)));
        row("of which: taken → stored (batching window, model, PNG, S3, transaction)", new Latencies(column(rows, 3)));
        row("of which: stored → succeeded (Kafka, moderation, release, settle)", new Latencies(column(rows, 4)));
        line("");
        hops(before, get(worker.url() + "/q/metrics") + get(moderation.url() + "/q/metrics"));
    }

    /** Where the time of the measured jobs went, by the services' own timers (the difference of two scrapes). */
    private void hops(String before, String after) {
        Map<String, String> timers = new LinkedHashMap<>();
        timers.put("genq_worker_message_age_seconds", "job message produced → consumed by the worker");
        timers.put("genq_queue_wait_seconds", "job created → taken by the worker");
        timers.put("genq_inference_seconds", "inference per sample and stage");
        timers.put("genq_worker_finish_wait_seconds", "batch done → finisher starts");
        timers.put("genq_worker_store_duration_seconds", "finisher: PNG, S3, transaction, samples.generated");
        timers.put("genq_moderation_event_age_seconds", "samples.generated produced → consumed by moderation");
        timers.put("genq_moderation_sample_duration_seconds", "moderation: score, copy, release, settle");
        line("| hop (services' own timers, these jobs) | mean ms | count |");
        line("|---|---:|---:|");
        timers.forEach((name, what) -> {
            double sum = sumOf(after, name + "_sum") - sumOf(before, name + "_sum");
            double count = sumOf(after, name + "_count") - sumOf(before, name + "_count");
            line("| %s | %.1f | %.0f |", what, count == 0 ? Double.NaN : sum / count * 1000, count);
        });
        line("");
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double sumOf(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + "{") || l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }


    // ---------------------------------------------------------------- 2. scale-out

    private void scaleOut(ServiceProcess first) throws Exception {
        line("## Worker scale-out (%d jobs of %d steps on emoji-base, 1 inference thread per worker, submitted at once)",
                scaleJobs, scaleSteps);
        line("");
        line("| workers | drained in s | jobs/s | samples/s |");
        line("|---:|---:|---:|---:|");
        double one = drain(1);
        ServiceProcess second = start("worker", workerSettings());
        second.awaitReady(Duration.ofMinutes(3));
        double two = drain(2);
        line("");
        line("Scale-out factor with 2 workers: %.2f×.", two / one);
        line("");
        second.stop(Duration.ofSeconds(20));
        services.remove(second);
    }

    /** @return jobs per second from the first submit to the last release */
    private double drain(int workers) throws Exception {
        String prompt = "scale " + workers + " " + UUID.randomUUID();
        new OpenLoop(http).run(500, scaleJobs / 500.0, i -> api("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\",\"steps\":" + scaleSteps
                        + ",\"model\":\"emoji-base\"}")).build());
        awaitSucceeded(prompt, scaleJobs, Duration.ofMinutes(10));
        double span = query("select extract(epoch from (max(finished_at) - min(created_at))) from jobs where prompt = ?", prompt)
                .get(0)[0];
        double perSecond = scaleJobs / span;
        line("| %d | %.1f | %.1f | %.1f |", workers, span, perSecond, perSecond);
        return perSecond;
    }

    // ---------------------------------------------------------------- 3. floor vs submit

    private void floorAndSubmit() throws Exception {
        // JIT warm-up of the gateway's submit path (Hibernate, Jackson, security): measured runs compare warm code
        String warm = "warm-up " + UUID.randomUUID();
        ClosedLoop.run(threads, warmupSeconds, () -> i -> http.send(submit(warm, 1), java.net.http.HttpResponse.BodyHandlers.discarding()));
        try (Connection c = stack.openConnection()) {
            c.createStatement().execute("create table if not exists bench_floor (id uuid primary key, payload jsonb not null, "
                    + "created_at timestamptz not null default now())");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        String payload = "{\"prompt\":\"a floor\",\"steps\":1,\"num_samples\":1,\"mode\":\"preview\",\"model\":\"tiny-base\"}";
        ClosedLoop.Result floor;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            floor = ClosedLoop.run(threads, seconds, () -> {
                Connection c = stack.openConnection();
                PreparedStatement insert = c.prepareStatement("insert into bench_floor (id, payload) values (?, ?::jsonb)");
                return new ClosedLoop.Operation() {
                    @Override
                    public void run(long i) throws Exception {
                        UUID id = UUID.randomUUID();
                        insert.setObject(1, id);
                        insert.setString(2, payload);
                        insert.executeUpdate();
                        producer.send(new ProducerRecord<>("genq.bench.floor", id.toString(), payload)).get();
                    }

                    @Override
                    public void close() throws Exception {
                        c.close();
                    }
                };
            });
        }
        String prompt = "closed " + UUID.randomUUID();
        ClosedLoop.Result submit = ClosedLoop.run(threads, seconds, () -> i -> {
            var r = http.send(submit(prompt, 1), java.net.http.HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 202) {
                throw new IllegalStateException("submit answered " + r.statusCode());
            }
        });
        line("## Submit cost against the floor (%d closed-loop callers, %.0f s each, side by side)", threads, seconds);
        line("");
        line("| | ops/s | p50 ms | p99 ms | errors |");
        line("|---|---:|---:|---:|---:|");
        line("| floor: Postgres insert (autocommit) + Kafka produce (acks=all, awaited) | %.0f | %.2f | %.2f | %d |",
                floor.perSecond(), floor.latencies().millis(50), floor.latencies().millis(99), floor.errors());
        line("| `POST /v1/jobs` (auth, validation, quota, job + outbox in one transaction; relay publishes) | %.0f | %.2f | %.2f | %d |",
                submit.perSecond(), submit.latencies().millis(50), submit.latencies().millis(99), submit.errors());
        line("");
        line("Submit / floor: throughput %.2f×, p50 latency %.2f×.", submit.perSecond() / floor.perSecond(),
                submit.latencies().millis(50) / floor.latencies().millis(50));
        String metrics = get(gateway.url() + "/q/metrics");
        double sum = 0;
        double count = 0;
        for (String l : metrics.lines().filter(l -> l.contains("method=\"POST\"") && l.contains("uri=\"/v1/jobs\"")).toList()) {
            double v = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            if (l.startsWith("http_server_requests_seconds_sum")) {
                sum += v;
            } else if (l.startsWith("http_server_requests_seconds_count")) {
                count += v;
            }
        }
        line("The gateway's own timer for POST /v1/jobs, all submits so far: mean %.2f ms over %.0f requests "
                + "(the rest of the latency above is the client, the network stack and queueing for the CPU).", sum / count * 1000, count);
        line("");
    }

    /**
     * The submit phases' jobs wait with no worker to run them: canceled (and their rows vacuumed, as autovacuum soon
     * would), so the next phase starts from an empty queue.
     */
    private void cancelWaiting() throws SQLException {
        try (Connection c = stack.openConnection()) {
            c.createStatement().executeUpdate("update jobs set status = 'canceled', finished_at = now() where status = 'queued'");
            c.createStatement().execute("vacuum analyze jobs");
        }
    }

    /** A worker and moderation, as at the start, for the phases that run jobs through. */
    private void startPipeline() throws Exception {
        ServiceProcess worker = start("worker", workerSettings());
        ServiceProcess moderation = start("moderation", moderationSettings());
        worker.awaitReady(Duration.ofMinutes(3));
        moderation.awaitReady(Duration.ofMinutes(3));
        // warm-up as at the start (JIT, TorchScript's profiling runs), so the phases after compare warm services
        String warm = "warm-up " + UUID.randomUUID();
        new OpenLoop(http).run(20, warmupSeconds, i -> submit(warm, 2));
        awaitSucceeded(warm, (int) Math.round(20 * warmupSeconds), Duration.ofMinutes(5));
    }

    private Map<String, String> moderationSettings() {
        return Map.of("genq.moderation.classifier.path", root.resolve("models/fixtures/tiny-safety").toString(),
                "genq.moderation.quality.judge", root.resolve("models/emoji-judge").toString(),
                "genq.provenance.sealing-keys", provenanceSealingKey);
    }

    // ---------------------------------------------------------------- 4. open loop

    private void openLoop() throws Exception {
        line("## Open-loop load (%.0f s per rate; latency from each request's scheduled time)", seconds);
        line("");
        line("| request | target/s | achieved/s | p50 ms | p99 ms | non-2xx | failed |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        OpenLoop load = new OpenLoop(http);
        String prompt = "open " + UUID.randomUUID();
        // warm-up at the first rate, not reported: the closed-loop phase just left a burst of rows behind
        // (autovacuum, relay catch-up), and a window should measure the steady rate, not that aftermath
        awaitOutboxDrained();
        load.run(rates.get(0), Math.min(warmupSeconds, 10), i -> submit(prompt, 1));
        for (double rate : rates) {
            awaitOutboxDrained();
            OpenLoop.Result r = load.run(rate, seconds, i -> submit(prompt, 1));
            openRow("POST /v1/jobs", r);
        }
        List<String> ids = query("select id::text from jobs where prompt = ? limit 5000", prompt, rs -> rs.getString(1));
        for (double rate : rates) {
            OpenLoop.Result r = load.run(rate, seconds, i -> api("/v1/jobs/" + ids.get(i % ids.size())).GET().build());
            openRow("GET /v1/jobs/{id}", r);
        }
        line("");
    }

    /**
     * Waits (at most 2 minutes) until the relay has published every accepted job, so a rate's window does
     * not pay for the previous phase's backlog (the closed-loop phase accepts jobs faster than 1,000/s).
     */
    private void awaitOutboxDrained() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (unsentOutboxRows() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the outbox relay did not catch up within 2 minutes");
            }
            Thread.sleep(200);
        }
        Thread.sleep(1000);
    }

    private long unsentOutboxRows() throws SQLException {
        try (Connection c = stack.openConnection(); ResultSet rs = c.createStatement().executeQuery(
                "select count(*) from outbox where sent_at is null")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void openRow(String what, OpenLoop.Result r) {
        int non2xx = r.statuses().entrySet().stream().filter(e -> e.getKey() / 100 != 2).mapToInt(Map.Entry::getValue).sum();
        line("| %s | %.0f | %.0f | %.2f | %.2f | %d | %d |", what, r.rate(), r.achievedPerSecond(),
                r.latencies().millis(50), r.latencies().millis(99), non2xx, r.failed());
        System.err.printf("bench: %s at %.0f/s: achieved %.0f/s, p50 %.2f ms, p99 %.2f ms, statuses %s%n", what, r.rate(),
                r.achievedPerSecond(), r.latencies().millis(50), r.latencies().millis(99), r.statuses());
    }

    // ---------------------------------------------------------------- plumbing

    private Map<String, String> workerSettings() {
        Map<String, String> w = new LinkedHashMap<>();
        w.put("genq.worker.model-paths", root.resolve("models/fixtures/tiny-base") + "," + root.resolve("models/fixtures/tiny-sr")
                + "," + root.resolve("models/emoji-base"));
        w.put("genq.worker.super-resolution-model", "tiny-sr");
        w.put("genq.worker.threads", "1");
        return w;
    }

    private Map<String, String> gatewayEnv() {
        return Map.of("GENQ_AUTH_BOOTSTRAP_CLIENT_KEY", key, "GENQ_AUTH_BOOTSTRAP_ADMIN_KEY", adminKey);
    }

    /** Stops the gateway (the fairness phase replaces it with differently configured ones). */
    private void stopGateway() {
        gateway.stop(Duration.ofSeconds(20));
        services.remove(gateway);
    }

    private void restartedGateway() throws Exception {
        gateway.awaitReady(Duration.ofMinutes(3));
    }

    private FairnessPhase.Host fairnessHost() {
        return new FairnessPhase.Host() {
            @Override
            public String restartGateway(Map<String, String> settings) throws Exception {
                stopGateway();
                Map<String, String> all = new java.util.HashMap<>(gatewaySettings);
                all.putAll(settings);
                gateway = start("api-gateway", all, gatewayEnv());
                restartedGateway();
                return gateway.url();
            }

            @Override
            public Connection db() throws SQLException {
                return stack.openConnection();
            }

            @Override
            public void line(String format, Object... args) {
                PlatformBench.this.line(format, args);
            }
        };
    }

    private ServiceProcess start(String module, Map<String, String> properties) throws IOException {
        return start(module, properties, Map.of());
    }

    private ServiceProcess start(String module, Map<String, String> properties, Map<String, String> env) throws IOException {
        int n = services.size();
        ServiceProcess s = ServiceProcess.start(root, module, EmbeddedStack.freePort(), stack, List.of("-Xmx1g"), properties, env,
                root.resolve("bench/platform/target/service-logs/" + module + "-" + n + ".log"));
        services.add(s);
        return s;
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
    }

    private HttpRequest submit(String prompt, int steps) {
        return api("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\",\"steps\":" + steps + "}")).build();
    }

    private void awaitSucceeded(String prompt, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long done = 0;
        while (System.nanoTime() < deadline) {
            done = (long) query("select count(*) from jobs where prompt = ? and status = 'succeeded'", prompt).get(0)[0];
            if (done >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(done + " of " + n + " jobs succeeded within " + timeout);
    }

    private interface Column<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, String arg, Column<T> column) throws SQLException {
        try (Connection c = stack.openConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, arg);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(column.read(rs));
                }
            }
            return out;
        }
    }

    private List<double[]> query(String sql, String arg) throws SQLException {
        return query(sql, arg, rs -> {
            double[] row = new double[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < row.length; i++) {
                row[i] = rs.getDouble(i + 1);
            }
            return row;
        });
    }

    private static long[] column(List<double[]> rows, int i) {
        return rows.stream().mapToLong(r -> (long) (r[i] * 1e9)).toArray();
    }

    private void row(String what, Latencies l) {
        line("| %s | %.1f | %.1f |", what, l.millis(50), l.millis(99));
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String machine() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private void close() {
        ServiceProcess.stopAll(services, Duration.ofSeconds(20));
        if (stack != null) {
            stack.close();
        }
    }
}
