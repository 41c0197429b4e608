package dev.genq.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The real infrastructure genq runs on, embedded: PostgreSQL (zonky binaries), Apache Kafka in KRaft
 * mode (in this JVM) and an S3 server (S3Proxy on a filesystem blob store). Everything binds 127.0.0.1.
 *
 * <p>With a data directory the state survives restarts (the local run); with none, a temporary
 * directory is used and deleted on {@link #close()} (tests).
 */
public final class EmbeddedStack implements AutoCloseable {
    public static final String DB_NAME = "postgres";
    public static final String DB_USER = "postgres";
    public static final String S3_ACCESS_KEY = "genq-local";
    public static final String S3_SECRET_KEY = "genq-local-secret";
    private static final String LOOPBACK = "127.0.0.1";

    /** Ports; 0 picks a free one. */
    public record Ports(int postgres, int kafka, int kafkaController, int s3) {
        public static Ports random() {
            return new Ports(0, 0, 0, 0);
        }
    }

    private static EmbeddedStack shared;

    private final Path dataDir;
    private final boolean temporary;
    private final int pgPort;
    private final int kafkaBrokers;
    private final Ports ports;
    private final int s3Port;

    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private S3Proxy s3;

    private EmbeddedStack(Path dataDir, boolean temporary, Ports ports, int kafkaBrokers) {
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.ports = ports;
        this.kafkaBrokers = kafkaBrokers;
        this.pgPort = orFree(ports.postgres());
        this.s3Port = orFree(ports.s3());
    }

    /** Starts a stack whose data lives in {@code dataDir} and survives restarts. */
    public static EmbeddedStack start(Path dataDir, Ports ports) {
        EmbeddedStack stack = new EmbeddedStack(dataDir.toAbsolutePath(), false, ports, 1);
        stack.startAll();
        return stack;
    }

    /** Starts a throw-away stack on free ports in a temporary directory. */
    public static EmbeddedStack startTemporary() {
        return startTemporary(1);
    }

    /** The same with a Kafka cluster of {@code kafkaBrokers} (1, or 3: replication factor 3, min ISR 2). */
    public static EmbeddedStack startTemporary(int kafkaBrokers) {
        if (kafkaBrokers != 1 && kafkaBrokers != 3) {
            throw new IllegalArgumentException("1 or 3 Kafka brokers, not " + kafkaBrokers);
        }
        try {
            EmbeddedStack stack = new EmbeddedStack(Files.createTempDirectory("genq-stack-"), true, Ports.random(), kafkaBrokers);
            stack.startAll();
            return stack;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One stack per JVM, shared by every test class; stopped by a shutdown hook when the JVM exits. */
    public static synchronized EmbeddedStack shared() {
        if (shared == null) {
            shared = startTemporary();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "genq-stack-shutdown"));
        }
        return shared;
    }

    private void startAll() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            startPostgres();
            int[][] kafkaPorts = kafkaBrokers == 1 ? new int[][] {{ports.kafka(), ports.kafkaController()}}
                    : new int[][] {{0, 0}, {0, 0}, {0, 0}};
            kafka = new EmbeddedKafka(dataDir, temporary, kafkaPorts);
            kafka.start();
            startS3();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("embedded stack failed to start: " + e.getMessage(), e);
        }
        System.err.printf("genq embedded stack up in %.1f s: postgres %s, kafka %s, s3 %s, data %s%n",
                (System.nanoTime() - t0) / 1e9, jdbcUrl(), kafkaBootstrap(), s3Endpoint(), dataDir);
    }

    // ---------------------------------------------------------------- PostgreSQL

    private void startPostgres() throws IOException {
        Path pgData = dataDir.resolve("postgres");
        Path binaries = dataDir.resolve("postgres-binaries");
        Files.createDirectories(binaries);
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(binaries.toFile())
                .setPort(pgPort)
                .setServerConfig("listen_addresses", LOOPBACK)
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", temporary ? "off" : "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setRegisterShutdownHook(false)
                .start();
    }

    /** Stops PostgreSQL (its data stays); for tests of what happens while the database is down. */
    public synchronized void stopPostgres() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            postgres = null;
        }
    }

    /** Starts PostgreSQL again on the same port and data after {@link #stopPostgres()}. */
    public synchronized void restartPostgres() {
        if (postgres == null) {
            try {
                startPostgres();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + LOOPBACK + ":" + pgPort + "/" + DB_NAME;
    }

    public Connection openConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), DB_USER, "");
    }

    // ---------------------------------------------------------------- Kafka (KRaft: EmbeddedKafka)

    /** Stops every broker (their data stays); for tests of what happens while Kafka is down. */
    public void stopKafka() {
        if (kafka != null) {
            kafka.stopAll();
        }
    }

    /** Starts the brokers again on the same ports and data after {@link #stopKafka()}. */
    public void restartKafka() {
        kafka.startAll();
    }

    /** Kills one broker of a cluster (node ids 1..n), as a crash of its process would. */
    public void stopKafkaBroker(int nodeId) {
        kafka.stop(nodeId);
    }

    public void startKafkaBroker(int nodeId) {
        kafka.start(nodeId);
    }

    public int kafkaBrokers() {
        return kafka.size();
    }

    public String kafkaBootstrap() {
        return kafka.bootstrap();
    }

    // ---------------------------------------------------------------- S3

    private void startS3() throws Exception {
        Path blobs = dataDir.resolve("s3");
        Files.createDirectories(blobs);
        s3 = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(blobs.toString()))
                .endpoint(URI.create("http://" + LOOPBACK + ":" + s3Port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, S3_ACCESS_KEY, S3_SECRET_KEY)
                .build();
        s3.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(s3.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s, state " + s3.getState());
            }
            Thread.sleep(20);
        }
    }

    /** Stops the S3 server (the blobs stay); for tests of what happens while the object store is down. */
    public synchronized void stopObjectStore() {
        if (s3 != null) {
            try {
                s3.stop();
            } catch (Exception e) {
                throw new IllegalStateException("S3Proxy did not stop: " + e.getMessage(), e);
            }
            s3 = null;
        }
    }

    /** Starts the S3 server again on the same port and blobs after {@link #stopObjectStore()}. */
    public synchronized void restartObjectStore() {
        if (s3 == null) {
            try {
                startS3();
            } catch (Exception e) {
                throw new IllegalStateException("S3Proxy did not start again: " + e.getMessage(), e);
            }
        }
    }

    public String s3Endpoint() {
        return "http://" + LOOPBACK + ":" + s3Port;
    }

    // ---------------------------------------------------------------- wiring

    /** The configuration every genq service needs to use this stack, as Quarkus property names. */
    public Map<String, String> serviceConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.datasource.jdbc.url", jdbcUrl());
        c.put("quarkus.datasource.username", DB_USER);
        c.put("quarkus.datasource.password", "");
        c.put("genq.kafka.bootstrap-servers", kafkaBootstrap());
        c.put("genq.object-store.endpoint", s3Endpoint());
        c.put("genq.object-store.access-key", S3_ACCESS_KEY);
        c.put("genq.object-store.secret-key", S3_SECRET_KEY);
        return c;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (s3 != null) {
            try {
                s3.stop();
            } catch (Exception e) {
                System.err.println("S3Proxy stop: " + e);
            }
            s3 = null;
        }
        stopKafka();
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                System.err.println("postgres stop: " + e);
            }
            postgres = null;
        }
        if (temporary) {
            deleteTree(dataDir);
        }
    }

    static int orFree(int port) {
        return port != 0 ? port : freePort();
    }

    /** A port nothing listens on now, on the loopback address everything here binds to. */
    /**
     * A port nothing listens on, below Linux's ephemeral range (32768-60999): a port the kernel hands out
     * for "any free port" is also what it hands out as the source port of outgoing connections, so with
     * many Kafka and JDBC connections open a service could find its port taken before it binds it.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + PORTS.nextInt(12000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // in use: another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.Random PORTS = new java.security.SecureRandom();

    static void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (var socket = new java.net.Socket(LOOPBACK, port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nothing listens on " + LOOPBACK + ":" + port + " after " + timeout);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ie);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
