package dev.genq.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Apache Kafka in KRaft mode, in this JVM, on 127.0.0.1: one node (the local run, most tests) or a cluster
 * of three (each broker and controller, a static quorum of the three) with replication factor 3 and
 * {@code min.insync.replicas} 2, as production runs it, so that a test can kill the leader of a partition.
 * Node ids are 1..n; their data lives under {@code dataDir/kafka[-id]}.
 */
public final class EmbeddedKafka {
    private static final String LOOPBACK = "127.0.0.1";
    static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /** One node: its ports, config and, while it runs, its server. */
    private static final class Node {
        final int id;
        final int port;
        final int controllerPort;
        final Path logDir;
        KafkaConfig config;
        volatile KafkaRaftServer server;

        Node(int id, int port, int controllerPort, Path logDir) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.logDir = logDir;
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final boolean temporary;
    /** When set, the one SCRAM user clients (and the broker itself) authenticate as: user, password. */
    private String[] scramUser;

    /**
     * One node whose client listener takes SASL/SCRAM-SHA-512 only, as compose and Kubernetes run Kafka:
     * the user is created when its storage is formatted. For tests of the services' SASL settings.
     */
    public static EmbeddedKafka scramSecured(Path dataDir, String user, String password) {
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, true, new int[][] {{0, 0}});
        kafka.scramUser = new String[] {user, password};
        return kafka;
    }

    /** @param ports per node, its broker and controller port (0: a free one) */
    EmbeddedKafka(Path dataDir, boolean temporary, int[][] ports) {
        this.temporary = temporary;
        for (int i = 0; i < ports.length; i++) {
            int id = i + 1;
            nodes.add(new Node(id, EmbeddedStack.orFree(ports[i][0]), EmbeddedStack.orFree(ports[i][1]),
                    dataDir.resolve(ports.length == 1 ? "kafka" : "kafka-" + id)));
        }
    }

    public void start() throws Exception {
        String voters = nodes.stream().map(n -> n.id + "@" + LOOPBACK + ":" + n.controllerPort).collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        int replicas = nodes.size() == 1 ? 1 : 3;
        String minIsr = nodes.size() == 1 ? "1" : "2";
        for (Node n : nodes) {
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", String.valueOf(n.id));
            p.put("controller.quorum.voters", voters);
            String client = scramUser == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
            p.put("listeners", client + "://" + LOOPBACK + ":" + n.port + ",CONTROLLER://" + LOOPBACK + ":" + n.controllerPort);
            p.put("advertised.listeners", client + "://" + LOOPBACK + ":" + n.port);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", client);
            if (scramUser != null) {
                p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
                p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
                p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + scramUser[0]
                                + "\" password=\"" + scramUser[1] + "\";");
            }
            p.put("log.dirs", n.logDir.toString());
            p.put("num.partitions", "4");
            p.put("default.replication.factor", String.valueOf(replicas));
            p.put("min.insync.replicas", minIsr);
            p.put("offsets.topic.replication.factor", String.valueOf(replicas));
            p.put("offsets.topic.num.partitions", "4");
            p.put("transaction.state.log.replication.factor", String.valueOf(replicas));
            p.put("transaction.state.log.min.isr", minIsr);
            p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replicas));
            p.put("share.coordinator.state.topic.min.isr", minIsr);
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "true");
            if (nodes.size() > 1) {
                // the last nodes of a cluster being stopped have no controller quorum left to grant a
                // controlled shutdown and would wait for it for minutes; a lone node shuts down cleanly (its
                // restart then needs no log recovery, which KafkaRestartTest's timing relies on)
                p.put("controlled.shutdown.enable", "false");
            }
            p.put("log.flush.interval.messages", temporary ? "9223372036854775807" : "1");
            n.config = KafkaConfig.fromProps(p, false);
            if (!Files.exists(n.logDir.resolve("meta.properties"))) {
                Files.createDirectories(n.logDir);
                new Formatter()
                        .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                        .setNodeId(n.id)
                        .setClusterId(clusterId)
                        .setDirectories(List.of(n.logDir.toString()))
                        .setMetadataLogDirectory(n.logDir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.latestProduction())
                        .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                        .setUnstableFeatureVersionsEnabled(false)
                        .setIgnoreFormatted(true)
                        .setScramArguments(scramUser == null ? List.of()
                                : List.of(SCRAM_MECHANISM + "=[name=" + scramUser[0] + ",password=" + scramUser[1] + "]"))
                        .run();
            }
        }
        startAll();
    }

    /**
     * Starts the given nodes side by side: a broker's startup waits until it has caught up with the
     * metadata log, which needs a quorum leader, which needs two controllers of three running.
     */
    private static void startTogether(List<Node> toStart) {
        List<Thread> threads = new ArrayList<>();
        List<RuntimeException> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Node n : toStart) {
            Thread t = new Thread(() -> {
                try {
                    KafkaRaftServer server = new KafkaRaftServer(n.config, Time.SYSTEM);
                    server.startup();
                    n.server = server;
                } catch (RuntimeException e) {
                    errors.add(e);
                }
            }, "genq-kafka-start-" + n.id);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(120).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Kafka", e);
            }
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        for (Node n : toStart) {
            if (n.server == null) {
                throw new IllegalStateException("Kafka node " + n.id + " did not start within 120 s");
            }
            EmbeddedStack.awaitPort(n.port, Duration.ofSeconds(60));
        }
    }

    int size() {
        return nodes.size();
    }

    public String bootstrap() {
        return nodes.stream().map(n -> LOOPBACK + ":" + n.port).collect(Collectors.joining(","));
    }

    /** Stops one node like a crash of its process would (its data stays). */
    synchronized void stop(int id) {
        Node n = nodes.get(id - 1);
        if (n.server != null) {
            n.server.shutdown();
            n.server.awaitShutdown();
            n.server = null;
        }
    }

    /** Starts a stopped node again on its ports and data. */
    synchronized void start(int id) {
        Node n = nodes.get(id - 1);
        if (n.server == null) {
            startTogether(List.of(n));
        }
    }

    public synchronized void stopAll() {
        for (Node n : nodes) {
            stop(n.id);
        }
    }

    synchronized void startAll() {
        startTogether(nodes.stream().filter(n -> n.server == null).toList());
    }
}
