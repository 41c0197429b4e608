package dev.genq.bench;

import com.sun.net.httpserver.HttpServer;
import dev.genq.local.EmbeddedStack;
import dev.genq.local.SealingKeys;
import dev.genq.local.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The abuse bench: one gateway on the embedded stack; a victim tenant submits, reads and receives webhooks
 * in a steady loop while an attacker tenant runs one attack at a time (slow webhook receivers, 300
 * Prefer: wait requests, 2,000 event streams, 500 unknown keys a second). The victim's submit and GET
 * latency and webhook delivery delay are measured for each attack and side by side with a quiet phase, in
 * one run. No worker runs (one starts only to register the model catalog): jobs stay queued and webhooks come from cancellations, so what is measured is
 * the gateway. The attacker's keys have the usual per-key rate (50/s); the victim's is not the bottleneck. Prints a Markdown table (also in bench/platform/target/abuse-bench.md). Not part of the tests.
 * Options: {@code -Dseconds=15} per phase.
 */
public final class AbuseBench {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private final Path root;
    private final double seconds = Double.parseDouble(System.getProperty("seconds", "15"));
    private final String admin = key();
    private final String victim = key();
    private final String only = System.getProperty("attacks", "");
    /** The victim's client (and the set-up's). */
    private final HttpClient http = client();
    /**
     * The attacker's own client: a JDK client does all its connections' I/O on one selector thread, so the
     * victim sharing it would queue behind the attacker's bursts inside the load generator and the bench
     * would charge that to the gateway. They are different machines in the attack this models.
     */
    private final HttpClient attackerHttp = client();
    private final StringBuilder report = new StringBuilder();
    private final Map<String, Instant> delivered = new ConcurrentHashMap<>();
    private EmbeddedStack stack;
    private ServiceProcess gateway;
    private HttpServer receiver;
    private Trickler trickler;
    private List<String> attackerKeys;

    private AbuseBench(Path root) {
        this.root = root;
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(8)).build();
    }

    private static String key() {
        return "gq_" + java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(20));
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        AbuseBench bench = new AbuseBench(root);
        int code = 0;
        try {
            bench.run();
        } catch (Exception e) {
            System.err.println("abuse bench failed: " + e);
            e.printStackTrace();
            code = 1;
        } finally {
            bench.close();
        }
        System.exit(code);
    }

    /** What the victim saw in one phase. */
    private record Figures(Latencies submit, Latencies get, Latencies webhook, int errors, double gatewayCores,
                           double machineCores) {
    }

    /** An attack: started before the victim is measured, stopped after. */
    private interface Attack {
        AutoCloseable start() throws Exception;
    }

    private void run() throws Exception {
        stack = EmbeddedStack.startTemporary();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        receiver.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int data = body.indexOf("\"data\"");
            Matcher m = ID.matcher(body.substring(Math.max(0, data))); // the job's id: the view's only "id"
            if (data >= 0 && m.find()) {
                delivered.putIfAbsent(m.group(1), Instant.now());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.start();
        trickler = new Trickler();
        gateway = ServiceProcess.start(root, "api-gateway", EmbeddedStack.freePort(), stack, List.of("-Xmx1g"), Map.of(
                        "genq.webhooks.allowed-hosts", "127.0.0.1", "genq.quotas.default-max-concurrent-jobs", "1000000",
                        "genq.rate-limit.requests-per-second", "1000", "genq.jobs.default-model", "tiny-base",
                        "genq.webhooks.secret-keys", SealingKeys.forOneRun()),
                Map.of("GENQ_AUTH_BOOTSTRAP_ADMIN_KEY", admin, "GENQ_AUTH_BOOTSTRAP_CLIENT_KEY", victim),
                root.resolve("bench/platform/target/service-logs/abuse-gateway.log"));
        // a worker registers the model catalog the gateway validates against, then goes: jobs stay queued
        ServiceProcess worker = ServiceProcess.start(root, "worker", EmbeddedStack.freePort(), stack, List.of("-Xmx512m"),
                Map.of("genq.worker.model-paths", root.resolve("models/fixtures/tiny-base") + "," + root.resolve("models/fixtures/tiny-sr"),
                        "genq.worker.super-resolution-model", "tiny-sr"), Map.of(),
                root.resolve("bench/platform/target/service-logs/abuse-worker.log"));
        worker.awaitReady(Duration.ofMinutes(3));
        ServiceProcess.stopAll(List.of(worker), Duration.ofSeconds(20));
        gateway.awaitReady(Duration.ofMinutes(3));
        String tenant = idOf(send(request("/v1/admin/tenants", admin).POST(json("{\"name\":\"attacker\"}"))).body());
        attackerKeys = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String body = send(request("/v1/admin/tenants/" + tenant + "/keys", admin)
                    .POST(json("{\"name\":\"k" + i + "\",\"roles\":[\"client\"],\"rate_limit_per_second\":50}"))).body();
            attackerKeys.add(body.replaceAll("(?s).*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1"));
        }
        victimPhase(Math.min(5, seconds)); // warm-up, not reported

        Map<String, Attack> attacks = new LinkedHashMap<>();
        attacks.put("quiet (no attack)", () -> () -> { });
        attacks.put("slow webhook receiver (64 deliveries, headers trickled 1 byte/s)", this::slowWebhooks);
        attacks.put("300 Prefer: wait requests held", this::waits);
        attacks.put("2,000 event streams, refused ones retried after Retry-After (5 s)", () -> streams(5));
        attacks.put("2,000 event streams, refused ones retried every second", () -> streams(1));
        attacks.put("500 unknown keys/s", this::unknownKeys);
        Map<String, Figures> results = new LinkedHashMap<>();
        if (!only.isBlank()) { // -Dattacks=Prefer,every: the quiet phase and the attacks whose names contain one
            attacks.keySet().removeIf(name -> !name.startsWith("quiet")
                    && java.util.Arrays.stream(only.split(",")).noneMatch(name::contains));
        }
        for (var a : attacks.entrySet()) {
            try (AutoCloseable running = a.getValue().start()) {
                Thread.sleep(2_000); // the attack reaches its full weight
                results.put(a.getKey(), victimPhase(seconds));
            }
            Thread.sleep(3_000); // let it drain before the next phase
        }
        print(results);
    }

    // ---------------------------------------------------------------- the victim

    private Figures victimPhase(double phaseSeconds) throws Exception {
        List<Long> submit = new ArrayList<>();
        List<Long> get = new ArrayList<>();
        List<Long> webhook = new ArrayList<>();
        Map<String, Long> canceledAt = new LinkedHashMap<>();
        int errors = 0;
        long start = System.nanoTime();
        Duration gatewayCpu = gateway.cpuTime();
        long machineBusy = machineBusyTicks();
        long end = start + (long) (phaseSeconds * 1e9);
        int i = 0;
        while (System.nanoTime() < end) {
            boolean hooked = i++ % 10 == 0;
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(request("/v1/jobs", victim).POST(json(hooked
                    ? "{\"prompt\":\"a calm lake\",\"webhook\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}"
                    : "{\"prompt\":\"a calm lake\"}")));
            submit.add(System.nanoTime() - t0);
            if (r.statusCode() != 202) {
                errors++;
                continue;
            }
            String id = idOf(r.body());
            t0 = System.nanoTime();
            if (send(request("/v1/jobs/" + id, victim).GET()).statusCode() != 200) {
                errors++;
            }
            get.add(System.nanoTime() - t0);
            if (send(request("/v1/jobs/" + id + "/cancel", victim).POST(HttpRequest.BodyPublishers.noBody())).statusCode() != 200) {
                errors++;
            } else if (hooked) {
                canceledAt.put(id, System.nanoTime());
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double gatewayCores = (gateway.cpuTime().minus(gatewayCpu)).toNanos() / 1e9 / elapsed;
        double machineCores = (machineBusyTicks() - machineBusy) / 100.0 / elapsed; // USER_HZ is 100 on Linux
        // deliveries: from the cancel's answer to the receiver's arrival (bounded wait for the last ones)
        long deadline = System.nanoTime() + 60_000_000_000L;
        long nowNanos = System.nanoTime();
        Instant now = Instant.now();
        while (canceledAt.keySet().stream().anyMatch(id -> !delivered.containsKey(id)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        for (var c : canceledAt.entrySet()) {
            Instant at = delivered.get(c.getKey());
            if (at == null) {
                errors++;
            } else {
                long arrivedNanos = nowNanos + Duration.between(now, at).toNanos();
                webhook.add(arrivedNanos - c.getValue());
            }
        }
        return new Figures(latencies(submit), latencies(get), latencies(webhook), errors, gatewayCores, machineCores);
    }

    /** Busy CPU ticks of the whole machine so far (all cores; /proc/stat's first line less idle and iowait), -1 off Linux. */
    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]);
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Latencies latencies(List<Long> nanos) {
        return new Latencies(nanos.stream().mapToLong(Long::longValue).toArray());
    }

    // ---------------------------------------------------------------- the attacks

    /** 64 deliveries to a receiver that answers headers and then trickles its body forever. */
    private AutoCloseable slowWebhooks() throws Exception {
        String key = attackerKeys.get(0);
        for (int i = 0; i < 64; i++) {
            String id = idOf(sendPaced(request("/v1/jobs", key).POST(json("{\"prompt\":\"slow\",\"webhook\":\"" + trickler.url() + "\"}"))).body());
            sendPaced(request("/v1/jobs/" + id + "/cancel", key).POST(HttpRequest.BodyPublishers.noBody()));
        }
        return trickler::close; // then its attempts are refused at once and wait out their 5-minute retry
    }

    /** 300 submits, each asking to wait 60 s; each is sent again 0.1 s after it returns (a 429 included). */
    private AutoCloseable waits() {
        AtomicBoolean on = new AtomicBoolean(true);
        String key = attackerKeys.get(1);
        for (int i = 0; i < 300; i++) {
            keepWaiting(key, on);
        }
        return () -> on.set(false);
    }

    private void keepWaiting(String key, AtomicBoolean on) {
        if (!on.get()) {
            return;
        }
        attackerHttp.sendAsync(request("/v1/jobs", key).timeout(Duration.ofSeconds(90)).header("Prefer", "wait=60")
                        .POST(json("{\"prompt\":\"wait for me\"}")).build(), HttpResponse.BodyHandlers.discarding())
                .whenCompleteAsync((r, e) -> keepWaiting(key, on), CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
    }

    /** 2,000 event streams over 10 keys on one queued job; refused ones are tried again every {@code retrySeconds}. */
    private AutoCloseable streams(int retrySeconds) throws Exception {
        String id = idOf(sendPaced(request("/v1/jobs", attackerKeys.get(2)).POST(json("{\"prompt\":\"watched\"}"))).body());
        List<CompletableFuture<HttpResponse<Void>>> open = new CopyOnWriteArrayList<>();
        AtomicBoolean on = new AtomicBoolean(true);
        ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor();
        Runnable topUp = () -> {
            open.removeIf(CompletableFuture::isDone);
            for (int i = open.size(); i < 2000 && on.get(); i++) {
                open.add(attackerHttp.sendAsync(request("/v1/jobs/" + id + "/events", attackerKeys.get(i % attackerKeys.size()))
                        .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.discarding()));
            }
        };
        retry.scheduleWithFixedDelay(topUp, 0, retrySeconds, TimeUnit.SECONDS);
        return () -> {
            on.set(false);
            retry.shutdownNow();
            send(request("/v1/jobs/" + id + "/cancel", attackerKeys.get(2)).POST(HttpRequest.BodyPublishers.noBody()));
            open.forEach(f -> f.cancel(true));
        };
    }

    /** 500 requests a second, each with a new random key. */
    private AutoCloseable unknownKeys() {
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> attackerHttp.sendAsync(request("/v1/jobs", key()).GET().build(), HttpResponse.BodyHandlers.discarding()),
                0, 2, TimeUnit.MILLISECONDS);
        return load::shutdownNow;
    }

    // ---------------------------------------------------------------- plumbing

    private HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
    }

    private static HttpRequest.BodyPublisher json(String body) {
        return HttpRequest.BodyPublishers.ofString(body);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends, waiting out the attacker key's rate limit (429 + Retry-After) a bounded number of times. */
    private HttpResponse<String> sendPaced(HttpRequest.Builder request) throws Exception {
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = send(request);
            if (r.statusCode() != 429) {
                return r;
            }
            Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("retry-after").orElse("1")));
        }
        throw new IllegalStateException("still rate-limited after 30 tries");
    }

    private static String idOf(String body) {
        Matcher m = ID.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no id in " + body);
        }
        return m.group(1);
    }

    private void print(Map<String, Figures> results) throws IOException {
        Figures quiet = results.values().iterator().next();
        line("# genq abuse bench");
        line("");
        line("%d cores, Java %s; %s; %.0f s per phase; one gateway on the embedded stack, no worker. The victim (another",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Instant.now(), seconds);
        line("tenant) submits, reads and cancels jobs in a loop, one in ten with a webhook; ratios are to the quiet phase.");
        line("CPU: the gateway's and the whole machine's (load generator, embedded stack and Postgres included), in cores busy");
        line("on average over the victim's phase.");
        line("");
        line("| attack (by one tenant) | victim submit p50 / p99 ms | victim GET p50 / p99 ms | victim webhook delay p50 / p99 ms | worst p99 ratio | victim errors | gateway CPU, cores | machine CPU, cores |");
        line("|---|---|---|---|---|---|---|---|");
        for (var e : results.entrySet()) {
            Figures f = e.getValue();
            double worst = Math.max(f.submit().millis(99) / quiet.submit().millis(99),
                    Math.max(f.get().millis(99) / quiet.get().millis(99), f.webhook().millis(99) / quiet.webhook().millis(99)));
            line("| %s | %.1f / %.1f | %.1f / %.1f | %.0f / %.0f | %.2f× | %d | %.2f | %.2f |", e.getKey(),
                    f.submit().millis(50), f.submit().millis(99), f.get().millis(50), f.get().millis(99),
                    f.webhook().millis(50), f.webhook().millis(99), worst, f.errors(), f.gatewayCores(), f.machineCores());
        }
        System.out.println(report);
        Path out = root.resolve("bench/platform/target/abuse-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println("(written to " + out + ")");
    }

    private void line(String format, Object... args) {
        report.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private void close() {
        if (gateway != null) {
            ServiceProcess.stopAll(List.of(gateway), Duration.ofSeconds(20));
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (trickler != null) {
            trickler.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** A webhook receiver that answers its status line, then one byte of a header a second, never ending it. */
    private static final class Trickler implements AutoCloseable {
        private final ServerSocket server;

        Trickler() throws IOException {
            server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread t = new Thread(() -> trickle(s));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/slow";
        }

        private static void trickle(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[65536];
                in.read(buffer); // the request (small): its content does not matter
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)); // a header that never ends
                while (true) {
                    out.flush();
                    Thread.sleep(1_000);
                    out.write('.');
                }
            } catch (IOException | InterruptedException e) {
                // the sender gave up
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
