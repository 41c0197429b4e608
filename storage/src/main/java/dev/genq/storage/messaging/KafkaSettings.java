package dev.genq.storage.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

@ConfigMapping(prefix = "genq.kafka")
public interface KafkaSettings {
    /** Comma-separated host:port list of the Kafka brokers. */
    String bootstrapServers();

    /** Upper bound for a producer send or an admin call to wait on an unreachable broker. */
    @WithDefault("5000")
    int requestTimeoutMs();

    /**
     * {@code PLAINTEXT} (the local run: brokers on 127.0.0.1), {@code SASL_PLAINTEXT} or {@code SASL_SSL}
     * (compose and Kubernetes: every client authenticates).
     */
    @WithDefault("PLAINTEXT")
    String securityProtocol();

    /** {@code SCRAM-SHA-512} or {@code SCRAM-SHA-256}, for the SASL protocols. */
    @WithDefault("SCRAM-SHA-512")
    String saslMechanism();

    /** The SCRAM user and password; required with a SASL protocol. */
    Optional<String> saslUsername();

    Optional<String> saslPassword();

    /** For {@code SASL_SSL} with a private CA: a PKCS12 or JKS trust store and its password. */
    Optional<String> sslTruststoreLocation();

    Optional<String> sslTruststorePassword();
}
