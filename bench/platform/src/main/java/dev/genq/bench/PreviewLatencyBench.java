package dev.genq.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client waits for a default job on the shipped models, end to end through the platform as
 * {@code ./run-local} starts it (gateway, worker with emoji-base and emoji-sr, moderation with the trained
 * classifier and judge): {@code Prefer: wait} submits one at a time, default parameters beside the old
 * 25-step default, interleaved in one run, for each worker setting asked for; with where the time went
 * (queue, engine and storage, moderation, the wait's answer), read from the jobs' own timestamps.
 * Run by bench/preview-latency; not a test.
 */
public final class PreviewLatencyBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PROMPTS = List.of("a grinning cat", "a red apple", "a smiling sun", "a blue car",
            "a happy dog", "a slice of pizza");

    /** One kind of job the bench submits. */
    private record JobKind(String name, String mode, Integer steps) {
        String body(String prompt, long seed) {
            return "{\"prompt\":\"" + prompt + "\",\"num_samples\":4,\"seed\":" + seed + ",\"mode\":\"" + mode + "\""
                    + (steps == null ? "" : ",\"steps\":" + steps) + "}";
        }
    }

    /** One job's figures in seconds: end to end, and its parts from the database's timestamps. */
    private record Timing(double total, double queued, double engine, double moderation, double answer, String status) {
    }

    private final Path root;
    private final int jobs = Integer.getInteger("jobs", 20);
    private final int rounds = Integer.getInteger("rounds", 2);
    private final boolean full = Boolean.parseBoolean(System.getProperty("full", "true"));
    private final String key = "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    private final HttpClient http = OpenLoop.client();
    private final StringBuilder report = new StringBuilder();
    private final List<ServiceProcess> services = new ArrayList<>();
    private EmbeddedStack stack;
    private ServiceProcess gateway;

    private PreviewLatencyBench(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        PreviewLatencyBench bench = new PreviewLatencyBench(root);
        int code = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            code = 1;
        } finally {
            ServiceProcess.stopAll(bench.services, Duration.ofSeconds(20));
            if (bench.stack != null) {
                bench.stack.close();
            }
        }
        System.exit(code);
    }

    /** -Dworkers="threads=2;threads=1;forward-rows=4": each a worker setting (genq.worker.*), ';' between. */
    private List<Map<String, String>> workerVariants() {
        List<Map<String, String>> variants = new ArrayList<>();
        for (String variant : System.getProperty("workers", "threads=2").split(";")) {
            Map<String, String> settings = new TreeMap<>();
            for (String kv : variant.split(",")) {
                String[] p = kv.trim().split("=", 2);
                if (p.length == 2) {
                    settings.put("genq.worker." + p[0].trim(), p[1].trim());
                }
            }
            variants.add(settings);
        }
        return variants;
    }

    private void run() throws Exception {
        stack = EmbeddedStack.startTemporary();
        gateway = start("api-gateway", Map.of("genq.webhooks.secret-keys", SealingKeys.forOneRun()),
                Map.of("GENQ_AUTH_BOOTSTRAP_CLIENT_KEY", key));
        ServiceProcess moderation = start("moderation", Map.of(
                "genq.moderation.classifier.path", root.resolve("models/emoji-safety").toString(),
                "genq.moderation.quality.judge", root.resolve("models/emoji-judge").toString(),
                "genq.provenance.sealing-keys", SealingKeys.forOneRun()), Map.of());
        gateway.awaitReady(Duration.ofMinutes(3));
        moderation.awaitReady(Duration.ofMinutes(3));

        List<JobKind> kinds = new ArrayList<>(List.of(new JobKind("preview, defaults", "preview", null),
                new JobKind("preview, 25 steps", "preview", 25)));
        if (full) {
            kinds.add(new JobKind("full, defaults", "full", null));
            kinds.add(new JobKind("full, 25 steps", "full", 25));
        }
        line("# genq preview latency");
        line("");
        line("%d cores, Java %s, %s. One client, `Prefer: wait`, 4 samples per job, %d jobs of each kind per worker "
                        + "setting, kinds interleaved, settings taking turns over %d rounds (a fresh worker each); shipped models "
                        + "(emoji-base, emoji-sr, emoji-safety, emoji-judge).",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Instant.now(), jobs, rounds);
        line("Parts (medians): queued = created → started; engine = started → last PNG stored; moderation = → job "
                + "settled; answer = → the client has the response.");
        line("");
        line("| worker setting | job | p50 s | p95 s | queued | engine | moderation | answer | other outcomes |");
        line("|---|---|---|---|---|---|---|---|---|");
        // the worker settings take turns, a round each (A B A B ...), so the platform's own warming up and the
        // machine's slow minutes do not all fall on one of them
        List<Map<String, String>> variants = workerVariants();
        List<Map<JobKind, List<Timing>>> timings = new ArrayList<>();
        variants.forEach(v -> timings.add(new LinkedHashMap<>()));
        boolean platformWarm = false;
        for (int round = 0; round < rounds; round++) {
            for (int v = 0; v < variants.size(); v++) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("genq.worker.model-paths", root.resolve("models/emoji-base") + "," + root.resolve("models/emoji-sr"));
                settings.put("genq.worker.super-resolution-model", "emoji-sr");
                settings.putAll(variants.get(v));
                ServiceProcess worker = start("worker", settings, Map.of());
                worker.awaitReady(Duration.ofMinutes(3));
                for (int w = 0; w < (platformWarm ? 1 : 3); w++) { // JIT, libtorch's first forwards of each shape
                    for (JobKind kind : kinds) {
                        submitAndWait(kind, "warm-up", w);
                    }
                }
                platformWarm = true;
                for (int i = round; i < jobs; i += rounds) {
                    for (JobKind kind : kinds) {
                        timings.get(v).computeIfAbsent(kind, k -> new ArrayList<>())
                                .add(submitAndWait(kind, PROMPTS.get(i % PROMPTS.size()), 1000 + i));
                    }
                }
                ServiceProcess.stopAll(List.of(worker), Duration.ofSeconds(20));
                services.remove(worker);
            }
        }
        for (int v = 0; v < variants.size(); v++) {
            String name = variants.get(v).isEmpty() ? "defaults" : variants.get(v).toString().replace("genq.worker.", "");
            for (var e : timings.get(v).entrySet()) {
                List<Timing> t = e.getValue();
                Map<String, Long> others = new TreeMap<>();
                t.stream().filter(x -> !"succeeded".equals(x.status())).forEach(x -> others.merge(x.status(), 1L, Long::sum));
                line("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |", name, e.getKey().name(),
                        pct(t, Timing::total, 50), pct(t, Timing::total, 95), pct(t, Timing::queued, 50),
                        pct(t, Timing::engine, 50), pct(t, Timing::moderation, 50), pct(t, Timing::answer, 50),
                        others.isEmpty() ? "-" : others.toString());
            }
        }
        System.out.println(report);
        Path out = root.resolve("bench/platform/target/preview-latency.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("(written to " + out + ")");
    }

    private Timing submitAndWait(JobKind kind, String prompt, long seed) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/jobs")).timeout(Duration.ofSeconds(90))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .header("Prefer", "wait=60").POST(HttpRequest.BodyPublishers.ofString(kind.body(prompt, seed))).build();
        long t0 = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        double total = (System.nanoTime() - t0) / 1e9;
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode job = JSON.readTree(response.body());
        String id = job.path("id").asText();
        try (Connection c = stack.openConnection(); PreparedStatement st = c.prepareStatement("""
                select extract(epoch from (j.started_at - j.created_at)),
                       extract(epoch from ((select max(s.created_at) from samples s where s.job_id = j.id) - j.started_at)),
                       extract(epoch from (j.finished_at - (select max(s.created_at) from samples s where s.job_id = j.id))),
                       extract(epoch from (j.finished_at - j.created_at))
                from jobs j where j.id = ?::uuid""")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("job " + id + " is not in the database");
                }
                return new Timing(total, rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), total - rs.getDouble(4),
                        job.path("status").asText());
            }
        }
    }

    /** The p-th percentile of one part, in seconds (Latencies' nearest rank). */
    private static double pct(List<Timing> timings, java.util.function.ToDoubleFunction<Timing> f, double p) {
        return new Latencies(timings.stream().mapToLong(t -> Math.round(f.applyAsDouble(t) * 1e9)).toArray()).millis(p) / 1e3;
    }

    private ServiceProcess start(String module, Map<String, String> properties, Map<String, String> env) throws IOException {
        ServiceProcess s = ServiceProcess.start(root, module, EmbeddedStack.freePort(), stack, List.of("-Xmx1g"), properties,
                env, root.resolve("bench/platform/target/service-logs/latency-" + module + "-" + services.size() + ".log"));
        services.add(s);
        return s;
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
