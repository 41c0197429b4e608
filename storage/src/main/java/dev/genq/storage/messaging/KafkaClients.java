package dev.genq.storage.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Builds Kafka clients with the settings every genq service shares: durable, bounded, string JSON, and
 * authenticated with SASL/SCRAM where {@code genq.kafka.security-protocol} asks for it.
 */
@ApplicationScoped
public class KafkaClients {
    private final KafkaSettings settings;

    private static final java.util.Set<String> PROTOCOLS = java.util.Set.of("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL");
    private static final java.util.Set<String> MECHANISMS = java.util.Set.of("SCRAM-SHA-512", "SCRAM-SHA-256");

    private final Map<String, Object> security;

    public KafkaClients(KafkaSettings settings) {
        this.settings = settings;
        this.security = security(settings); // a wrong setting stops the service at start, not at its first send
    }

    /** The client properties for the configured protocol: SCRAM credentials for the SASL ones. */
    static Map<String, Object> security(KafkaSettings s) {
        String protocol = s.securityProtocol();
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("genq.kafka.security-protocol must be one of " + PROTOCOLS + ", not " + protocol);
        }
        Map<String, Object> p = new java.util.HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (protocol.startsWith("SASL_")) {
            if (!MECHANISMS.contains(s.saslMechanism())) {
                throw new IllegalArgumentException("genq.kafka.sasl-mechanism must be one of " + MECHANISMS);
            }
            String user = s.saslUsername().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                    "genq.kafka.security-protocol is " + protocol + ": set genq.kafka.sasl-username and sasl-password"));
            String password = s.saslPassword().filter(pw -> !pw.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                    "genq.kafka.security-protocol is " + protocol + ": set genq.kafka.sasl-password"));
            p.put(SaslConfigs.SASL_MECHANISM, s.saslMechanism());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username="
                    + jaasQuoted(user) + " password=" + jaasQuoted(password) + ";");
        }
        s.sslTruststoreLocation().ifPresent(l -> p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, l));
        s.sslTruststorePassword().ifPresent(pw -> p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, pw));
        return Map.copyOf(p);
    }

    /** A JAAS option value in quotes, its backslashes and quotes escaped (a password may hold either). */
    private static String jaasQuoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Idempotent producer, acks=all: a send is done only when the broker has it. */
    public KafkaProducer<String, String> producer(String clientId) {
        return producer(clientId, Map.of());
    }

    /**
     * A producer for messages worth less than the wait for them (live previews): at most a second blocked on a
     * missing broker, the leader's acknowledgement only, no retries. A failed send is the caller's to count.
     */
    public KafkaProducer<String, String> bestEffortProducer(String clientId) {
        return producer(clientId, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000, ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.RETRIES_CONFIG, 0));
    }

    private KafkaProducer<String, String> producer(String clientId, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // bounded waits: a missing broker surfaces as an error the caller retries, never a hang
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.requestTimeoutMs());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs() + 1000);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        p.putAll(security);
        p.putAll(overrides);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Manual-commit consumer: offsets are committed only after the work they stand for is durable. */
    public KafkaConsumer<String, String> consumer(String groupId, String clientId, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        p.putAll(security);
        p.putAll(overrides);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
        p.putAll(security);
        return Admin.create(p);
    }

    public KafkaSettings settings() {
        return settings;
    }
}
