package dev.genq.bench;

import dev.genq.local.EmbeddedStack;
import dev.genq.local.SealingKeys;
import dev.genq.local.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chaos soak: two gateways, two workers and moderation as processes on the embedded stack; a client
 * submits a small job every {@code -DintervalMs} for {@code -Dminutes} (to either gateway, retrying on the
 * other with the same Idempotency-Key when one is down) while a driver {@code kill -9}s a random service
 * every {@code -DkillEverySeconds} (and starts it again) and restarts the broker once, half-way. Then it
 * waits for the queue to drain and checks every accepted job in Postgres: succeeded exactly once (one
 * sample row, one released image, one cost row per sample) or failed with a stable code; nothing stuck,
 * nothing billed twice, no announcement left unsent. Prints a Markdown table (also in
 * bench/platform/target/chaos-soak.md); exits 1 when any job was lost, duplicated, stuck or double-billed.
 */
public final class ChaosSoak {
    /** Where a job may end: succeeded, or held or rejected by moderation (the fixture classifier flags some). */
    private static final java.util.Set<String> DECIDED = java.util.Set.of("succeeded", "needs_review", "rejected");
    private final Path root;
    private final double minutes = Double.parseDouble(System.getProperty("minutes", "3"));
    private final long intervalMs = Long.getLong("intervalMs", 250);
    private final long killEverySeconds = Long.getLong("killEverySeconds", 8);
    private final Duration drainTimeout = Duration.ofMinutes(Long.getLong("drainMinutes", 6));
    private final String key = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Random random = new Random(Long.getLong("seed", 1));
    private final StringBuilder report = new StringBuilder();
    private EmbeddedStack stack;

    /** One service position: restarted on the same port after each kill. */
    private final class Slot {
        final String module;
        final String name;
        final int port = EmbeddedStack.freePort();
        final Map<String, String> properties;
        final Map<String, String> env;
        volatile ServiceProcess process;
        int starts;

        Slot(String module, String name, Map<String, String> properties, Map<String, String> env) {
            this.module = module;
            this.name = name;
            this.properties = properties;
            this.env = env;
        }

        void start() throws IOException {
            starts++;
            process = ServiceProcess.start(root, module, port, stack, List.of("-Xmx512m", "-XX:+UseSerialGC"), properties, env,
                    root.resolve("bench/platform/target/chaos-logs/" + name + "-" + starts + ".log"));
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Instant> accepted = new ConcurrentHashMap<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final Map<String, Integer> kills = new TreeMap<>();
    private volatile boolean submitting = true;

    private ChaosSoak(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        ChaosSoak soak = new ChaosSoak(root);
        int code;
        try {
            code = soak.run();
        } catch (Exception e) {
            System.err.println("chaos soak failed: " + e);
            e.printStackTrace();
            code = 2;
        } finally {
            soak.close();
        }
        System.exit(code);
    }

    private int run() throws Exception {
        stack = EmbeddedStack.startTemporary();
        Map<String, String> gateway = Map.of("genq.auth.bootstrap.client-key", key, "genq.jobs.default-model", "tiny-base",
                "genq.recovery.sweep-interval", "PT1S", "genq.rate-limit.requests-per-second", "1000",
                "genq.quotas.default-max-concurrent-jobs", "100000", "genq.webhooks.secret-keys", SealingKeys.forOneRun());
        Map<String, String> worker = Map.of("genq.worker.model-paths",
                root.resolve("models/fixtures/tiny-base") + "," + root.resolve("models/fixtures/tiny-sr"),
                "genq.worker.super-resolution-model", "tiny-sr", "genq.worker.lease", "PT3S", "genq.worker.threads", "1");
        Map<String, String> moderation = Map.of("genq.moderation.classifier.path", root.resolve("models/fixtures/tiny-safety").toString(),
                "genq.moderation.quality.judge", root.resolve("models/emoji-judge").toString(),
                "genq.provenance.sealing-keys", SealingKeys.forOneRun());
        slots.add(new Slot("api-gateway", "gateway-1", gateway, Map.of()));
        slots.add(new Slot("api-gateway", "gateway-2", gateway, Map.of()));
        slots.add(new Slot("worker", "worker-1", worker, Map.of()));
        slots.add(new Slot("worker", "worker-2", worker, Map.of()));
        slots.add(new Slot("moderation", "moderation", moderation, Map.of()));
        for (Slot s : slots) {
            s.start();
        }
        for (Slot s : slots) {
            s.process.awaitReady(Duration.ofMinutes(3));
        }
        Instant began = Instant.now();
        Thread client = new Thread(this::submitLoop, "chaos-client");
        client.start();
        long end = System.nanoTime() + (long) (minutes * 60e9);
        long brokerAt = System.nanoTime() + (long) (minutes * 30e9);
        int brokerRestarts = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(killEverySeconds * 1000);
            if (brokerRestarts == 0 && System.nanoTime() > brokerAt) {
                stack.stopKafka();
                Thread.sleep(5000);
                stack.restartKafka();
                brokerRestarts++;
                continue;
            }
            Slot victim = slots.get(random.nextInt(slots.size()));
            victim.process.kill(); // SIGKILL: no shutdown hook, as when a machine dies
            kills.merge(victim.module, 1, Integer::sum);
            victim.start();
            victim.process.awaitReady(Duration.ofMinutes(3)); // one service down at a time
        }
        submitting = false;
        client.join();
        Duration submitted = Duration.between(began, Instant.now());
        boolean drained = awaitDrained();
        return report(submitted, brokerRestarts, drained);
    }

    /** Submits one job every interval, to gateway 1 or 2 in turn; a failed call is retried on the other. */
    private void submitLoop() {
        int n = 0;
        while (submitting) {
            String idem = "chaos-" + n;
            String body = "{\"prompt\":\"chaos " + n + "\",\"steps\":2}";
            boolean answered = false;
            for (int attempt = 0; attempt < 4 && !answered; attempt++) {
                Slot gw = slots.get((n + attempt) % 2);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gw.url() + "/v1/jobs"))
                            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json").header("Idempotency-Key", idem)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202 || r.statusCode() == 200) {
                        String id = r.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([0-9a-f-]{36})\".*", "$1");
                        accepted.putIfAbsent(id, Instant.now());
                        answered = true;
                    } else if (r.statusCode() < 500 && r.statusCode() != 429) {
                        refused.add(r.statusCode() + " " + r.body());
                        answered = true;
                    }
                } catch (IOException e) {
                    // that gateway is down (killed): the same Idempotency-Key on the other one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!answered) {
                unanswered.incrementAndGet();
            }
            n++;
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean awaitDrained() throws Exception {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            long open = scalar("select count(*) from jobs where status in ('queued', 'running', 'moderating')");
            if (open == 0) {
                return true;
            }
            Thread.sleep(1000);
        }
        return false;
    }

    private int report(Duration submitted, int brokerRestarts, boolean drained) throws Exception {
        Map<String, Long> outcomes = new TreeMap<>();
        List<Double> latencies = new ArrayList<>();
        long lost = 0;
        long duplicatedSamples = 0;
        long doubleBilled = 0;
        long unreleased = 0;
        try (Connection c = stack.openConnection()) {
            for (String id : accepted.keySet()) {
                try (PreparedStatement st = c.prepareStatement("""
                        select j.status, j.error_code, extract(epoch from (j.finished_at - j.created_at)),
                               (select count(*) from samples s where s.job_id = j.id),
                               (select count(*) from samples s where s.job_id = j.id and s.status = 'released'),
                               (select count(*) from sample_costs k where k.job_id = j.id),
                               (select count(distinct (k.sample_idx, k.stage)) from sample_costs k where k.job_id = j.id)
                        from jobs j where j.id = ?::uuid""")) {
                    st.setString(1, id);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            lost++;
                            continue;
                        }
                        String status = rs.getString(1);
                        outcomes.merge(status.equals("failed") ? "failed: " + rs.getString(2) : status, 1L, Long::sum);
                        long samples = rs.getLong(4);
                        if (status.equals("succeeded")) {
                            latencies.add(rs.getDouble(3));
                            duplicatedSamples += Math.max(0, samples - 1);
                            unreleased += rs.getLong(5) == 1 ? 0 : 1;
                        }
                        doubleBilled += rs.getLong(6) - rs.getLong(7);
                    }
                }
            }
        }
        long duplicateJobs = scalar("select count(*) - count(distinct prompt) from jobs where prompt like 'chaos %'");
        long stuck = scalar("select count(*) from jobs where status in ('queued', 'running', 'moderating')");
        long unsent = scalar("select count(*) from outbox where sent_at is null");
        latencies.sort(Double::compare);
        line("# genq chaos soak");
        line("");
        line("%d cores; %s; two gateways, two workers, moderation (tiny fixture models, 2-step jobs, one sample each).",
                Runtime.getRuntime().availableProcessors(), Instant.now());
        line("");
        line("| figure | value |");
        line("|---|---|");
        line("| submitting | %.1f min, one job every %d ms, alternating gateways, Idempotency-Key retried on the other |",
                submitted.toSeconds() / 60.0, intervalMs);
        line("| jobs accepted / refused / unanswered | %d / %d / %d |", accepted.size(), refused.size(), unanswered.get());
        line("| kill -9 + restart, per service | %s |", kills.isEmpty() ? "none" : kills.toString().replaceAll("[{}]", ""));
        line("| broker restarts | %d |", brokerRestarts);
        line("| outcomes | %s |", outcomes.toString().replaceAll("[{}]", ""));
        line("| job latency p50 / p99 (created → finished, succeeded jobs) | %.2f s / %.2f s |", pct(latencies, 0.5), pct(latencies, 0.99));
        line("| lost (accepted, no job row) | %d |", lost);
        line("| duplicated (two jobs for one submission, extra sample rows) | %d, %d |", duplicateJobs, duplicatedSamples);
        line("| double-billed cost rows | %d |", doubleBilled);
        line("| succeeded without exactly one released image | %d |", unreleased);
        line("| stuck (queued, running or moderating at the end) | %d%s |", stuck, drained ? "" : " (drain timed out)");
        line("| announcements never sent (outbox) | %d |", unsent);
        Path out = root.resolve("bench/platform/target/chaos-soak.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        boolean ok = lost == 0 && duplicateJobs == 0 && duplicatedSamples == 0 && doubleBilled == 0 && unreleased == 0 && stuck == 0
                && !accepted.isEmpty() && outcomes.keySet().stream().allMatch(o -> DECIDED.contains(o) || o.startsWith("failed: "));
        line("");
        line(ok ? "PASS: nothing lost, duplicated, stuck or billed twice." : "FAIL: see the table.");
        return ok ? 0 : 1;
    }

    private static double pct(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = stack.openConnection(); PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }

    private void close() {
        ServiceProcess.stopAll(slots.stream().map(s -> s.process).filter(p -> p != null).toList(), Duration.ofSeconds(20));
        if (stack != null) {
            stack.close();
        }
    }
}
