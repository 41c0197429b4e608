package dev.genq.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One genq service (api-gateway, worker, moderation) as its own JVM, started from its packaged fast-jar
 * exactly as in production, on 127.0.0.1, wired to an {@link EmbeddedStack}. Used by the local run,
 * the system tests and the platform benchmark.
 */
public final class ServiceProcess {
    /** One client for every readiness wait (on Java 17 a client's selector thread lives until it is collected). */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String module;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String module, int port, Path log, Process process) {
        this.module = module;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code <root>/<module>/target/quarkus-app/quarkus-run.jar}; its output goes to {@code log}.
     * {@code properties} become -D options (never secrets: ps shows them); secrets go in {@code env}.
     */
    public static ServiceProcess start(Path root, String module, int port, EmbeddedStack stack, List<String> jvmOptions,
                                       Map<String, String> properties, Map<String, String> env, Path log) throws IOException {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw package)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dquarkus.http.port=" + port);
        stack.serviceConfig().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new ServiceProcess(module, port, log, builder.start());
    }

    public String module() {
        return module;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    /** CPU time the process has used so far (zero where the platform does not say). */
    public Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until {@code /q/health/ready} answers 200; fails early if the process exits. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with code " + process.exitValue() + " while starting; see " + log);
            }
            try {
                var r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(module + " was not ready within " + timeout + "; see " + log);
    }

    /** SIGTERM (Quarkus shuts down gracefully), SIGKILL after {@code grace}. */
    public void stop(Duration grace) {
        process.destroy();
        awaitExit(grace);
    }

    /** Stops several services together: SIGTERM to all first, so they shut down in parallel, then waits for each. */
    public static void stopAll(java.util.Collection<ServiceProcess> services, Duration grace) {
        services.forEach(s -> s.process.destroy());
        services.forEach(s -> s.awaitExit(grace));
    }

    /** SIGKILL: no shutdown hook runs, as when a machine dies. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    private void awaitExit(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public int exitValue() {
        return process.exitValue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
