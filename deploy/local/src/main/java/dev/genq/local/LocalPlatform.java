package dev.genq.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The whole platform on one machine: the embedded stack (data kept in {@code .genq-local/}) and the three
 * services from their packaged jars, on 127.0.0.1. Prints where everything is once all are healthy and
 * stops everything cleanly on Ctrl-C. Started by {@code ./run-local}.
 */
public final class LocalPlatform {
    record Service(String module, int port) {
        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final Path root;
    private final Path dataDir;
    private final List<ServiceProcess> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private EmbeddedStack stack;
    /** Set by Ctrl-C: services exiting from then on are expected, not a failure to report. */
    private volatile boolean stopping;

    LocalPlatform(Path root, Path dataDir) {
        this.root = root;
        this.dataDir = dataDir;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        Path data = Path.of(System.getenv().getOrDefault("GENQ_DATA_DIR", root.resolve(".genq-local").toString()));
        LocalPlatform platform = new LocalPlatform(root, data);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.stop();
            stopped.countDown();
        }, "genq-local-shutdown"));
        try {
            platform.start();
        } catch (Exception e) {
            System.err.println("genq: could not start: " + e.getMessage());
            System.exit(1);
        }
        platform.watch();
        stopped.await(60, TimeUnit.SECONDS);
    }

    void start() throws IOException, InterruptedException {
        int base = Integer.parseInt(System.getenv().getOrDefault("GENQ_PORT_BASE", "0"));
        EmbeddedStack.Ports ports = new EmbeddedStack.Ports(15432 + base, 19092 + base, 19093 + base, 19000 + base);
        System.out.println("genq: starting PostgreSQL, Kafka and S3 on 127.0.0.1 (data in " + dataDir + ")");
        stack = EmbeddedStack.start(dataDir, ports);
        Path logs = dataDir.resolve("logs");
        Files.createDirectories(logs);

        Map<String, String> worker = new LinkedHashMap<>();
        worker.put("genq.worker.model-paths",
                root.resolve("models/emoji-base") + "," + root.resolve("models/emoji-sr"));
        worker.put("genq.worker.super-resolution-model", "emoji-sr");
        List<Service> services = List.of(new Service("api-gateway", 8080 + base), new Service("worker", 8081 + base),
                new Service("moderation", 8082 + base));
        Map<String, String> gatewayEnv = new LinkedHashMap<>(bootstrapKeys());
        gatewayEnv.putAll(secretSealingKey());
        Map<String, String> gateway = Map.of("genq.webhooks.allowed-hosts", "127.0.0.1,localhost",
                "quarkus.swagger-ui.enable", "true");
        for (Service s : services) {
            switch (s.module()) {
                case "worker" -> launch(s, logs, worker, Map.of());
                case "api-gateway" -> launch(s, logs, gateway, gatewayEnv);
                default -> launch(s, logs, Map.of("genq.moderation.classifier.path", safetyModel().toString(),
                        "genq.moderation.quality.judge", root.resolve("models/emoji-judge").toString()), provenanceSealingKey());
            }
        }
        for (ServiceProcess p : processes) {
            p.awaitReady(Duration.ofMinutes(3));
        }
        String api = services.get(0).url();
        System.out.println();
        System.out.println("genq is up.");
        System.out.println("  playground   " + api + "/   (sign in with the client key)");
        System.out.println("  API          " + api + "/v1/jobs");
        System.out.println("  OpenAPI      " + api + "/q/openapi   Swagger UI " + api + "/q/swagger-ui");
        System.out.println("  health       " + api + "/q/health   worker " + services.get(1).url()
                + "/q/health   moderation " + services.get(2).url() + "/q/health");
        System.out.println("  review page  " + services.get(2).url() + "/review/   (sign in with the reviewer key)");
        System.out.println("  metrics      " + api + "/q/metrics  (and on each service)");
        System.out.println("  S3 endpoint  " + stack.s3Endpoint() + "   Postgres " + stack.jdbcUrl()
                + "   Kafka " + stack.kafkaBootstrap());
        System.out.println("  data, logs   " + dataDir + "  (kept across restarts; delete it to start afresh)");
        System.out.println("  admin key    " + gatewayEnv.get("GENQ_AUTH_BOOTSTRAP_ADMIN_KEY"));
        System.out.println("  client key   " + gatewayEnv.get("GENQ_AUTH_BOOTSTRAP_CLIENT_KEY"));
        System.out.println("  reviewer key " + gatewayEnv.get("GENQ_AUTH_BOOTSTRAP_REVIEWER_KEY")
                + "   (all three in " + dataDir.resolve(KEYS_FILE) + ")");
        System.out.println();
        System.out.println("Try:  export GENQ_KEY=" + gatewayEnv.get("GENQ_AUTH_BOOTSTRAP_CLIENT_KEY"));
        System.out.println("      curl -s -X POST " + api + "/v1/jobs -H \"Authorization: Bearer $GENQ_KEY\" "
                + "-H 'Content-Type: application/json' -d '{\"prompt\":\"a grinning cat\",\"num_samples\":4}'");
        System.out.println("Press Ctrl-C to stop.");
    }

    static final String KEYS_FILE = "bootstrap-keys.env";
    static final String SEALING_KEY_FILE = "webhook-sealing-key.env";
    static final String PROVENANCE_SEALING_KEY_FILE = "provenance-sealing-key.env";

    /** The trained safety classifier once it ships in models/, else the colour-dominance fixture. */
    private Path safetyModel() {
        Path trained = root.resolve("models/emoji-safety");
        return java.nio.file.Files.isRegularFile(trained.resolve("model.json")) ? trained : root.resolve("models/fixtures/tiny-safety");
    }

    /**
     * Writes a secret file that is never readable by others, not even for a moment: a new file created
     * owner-only (rw-------) next to it, written, then moved over the old one.
     */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(fresh);
        try {
            Files.createFile(fresh, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(fresh); // not a POSIX file system; the data folder is the user's own
        }
        Files.writeString(fresh, text);
        Files.move(fresh, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The local run's admin, client and reviewer keys: made once, kept (owner-only) in the data folder,
     * given to the gateway through its environment (never on a command line, where ps would show them).
     */
    private Map<String, String> bootstrapKeys() throws IOException {
        Map<String, java.util.function.Supplier<String>> wanted = new LinkedHashMap<>();
        for (String role : List.of("ADMIN", "CLIENT", "REVIEWER")) {
            wanted.put("GENQ_AUTH_BOOTSTRAP_" + role + "_KEY", LocalPlatform::newKey);
        }
        return ownerOnlyEnv(dataDir.resolve(KEYS_FILE),
                "# genq local run: bootstrap API keys (default tenant). Delete to make new ones.\n", wanted);
    }

    /**
     * The key that seals webhook signing secrets in Postgres. Kept apart from the API keys: deleting those to
     * make new ones must not lose it (the stored secrets would no longer open and the gateway would not start).
     */
    private Map<String, String> secretSealingKey() throws IOException {
        return ownerOnlyEnv(dataDir.resolve(SEALING_KEY_FILE), "# genq local run: seals the webhook secrets stored in "
                + "Postgres. Keep it while you keep the data; delete the whole data folder to start afresh.\n",
                Map.of("GENQ_WEBHOOKS_SECRET_KEYS", () -> SealingKeys.entry("local1")));
    }

    /** The key that seals the provenance private key in Postgres: moderation's alone (the gateway never signs). */
    private Map<String, String> provenanceSealingKey() throws IOException {
        return ownerOnlyEnv(dataDir.resolve(PROVENANCE_SEALING_KEY_FILE), "# genq local run: seals the provenance signing key "
                + "stored in Postgres (moderation only). Keep it while you keep the data: without it a new signing key is made.\n",
                Map.of("GENQ_PROVENANCE_SEALING_KEYS", () -> SealingKeys.entry("local1")));
    }

    /** Reads NAME=value lines from an owner-only file, adding (and writing) the names it lacks. */
    private static Map<String, String> ownerOnlyEnv(Path file, String header,
                                                    Map<String, java.util.function.Supplier<String>> wanted) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        boolean changed = false;
        for (var w : wanted.entrySet()) {
            changed |= values.putIfAbsent(w.getKey(), w.getValue().get()) == null;
        }
        if (changed) {
            StringBuilder out = new StringBuilder(header);
            values.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
            writeOwnerOnly(file, out.toString());
        }
        return values;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new java.security.SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static String newKey() {
        return "gq_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(30));
    }

    private void launch(Service s, Path logs, Map<String, String> extra, Map<String, String> env) throws IOException {
        Path log = logs.resolve(s.module() + ".log");
        processes.add(ServiceProcess.start(root, s.module(), s.port(), stack, List.of("-Xmx768m"), extra, env, log));
        System.out.println("genq: started " + s.module() + " on " + s.url() + " (log " + log + ")");
    }

    /** Returns when a service dies on its own; Ctrl-C goes through the shutdown hook instead. */
    private void watch() throws InterruptedException {
        while (true) {
            for (ServiceProcess p : processes) {
                if (!p.isAlive() && !stopping) {
                    System.err.println("genq: " + p.module() + " exited (code " + p.exitValue() + "); stopping. Logs: "
                            + dataDir.resolve("logs"));
                    System.exit(1);
                }
            }
            Thread.sleep(1000);
        }
    }

    synchronized void stop() {
        stopping = true;
        if (processes.isEmpty() && stack == null) {
            return;
        }
        System.out.println("\ngenq: stopping services...");
        ServiceProcess.stopAll(processes, Duration.ofSeconds(20)); // SIGTERM: Quarkus shuts down gracefully
        processes.clear();
        if (stack != null) {
            System.out.println("genq: stopping PostgreSQL, Kafka and S3...");
            stack.close();
            stack = null;
        }
        System.out.println("genq: stopped; data kept in " + dataDir);
    }
}
