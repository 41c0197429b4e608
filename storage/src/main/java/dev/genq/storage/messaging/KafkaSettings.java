package dev.genq.storage.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "genq.kafka")
public interface KafkaSettings {
    /** Comma-separated host:port list of the Kafka brokers. */
    String bootstrapServers();

    /** Upper bound for a producer send or an admin call to wait on an unreachable broker. */
    @WithDefault("5000")
    int requestTimeoutMs();
}
