package dev.genq.storage.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.local.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services' Kafka clients against a broker that takes SASL/SCRAM-SHA-512 only, as compose and Kubernetes run it. */
class KafkaSaslTest {
    static final String USER = "genq";
    static final String PASSWORD = "scram-" + UUID.randomUUID();

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    record Settings(String bootstrapServers, String securityProtocol, Optional<String> saslUsername,
                    Optional<String> saslPassword) implements KafkaSettings {
        public int requestTimeoutMs() {
            return 5000;
        }

        public String saslMechanism() {
            return "SCRAM-SHA-512";
        }

        public Optional<String> sslTruststoreLocation() {
            return Optional.empty();
        }

        public Optional<String> sslTruststorePassword() {
            return Optional.empty();
        }
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.scramSecured(dir, USER, PASSWORD);
        kafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.stopAll();
        }
    }

    static KafkaClients clients(String user, String password) {
        return new KafkaClients(new Settings(kafka.bootstrap(), "SASL_PLAINTEXT", Optional.of(user), Optional.of(password)));
    }

    @Test
    void theRightCredentialsCreateTopicsProduceAndConsume() throws Exception {
        KafkaClients clients = clients(USER, PASSWORD);
        String topic = "sasl-" + UUID.randomUUID();
        try (Admin admin = clients.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = clients.producer("sasl-test")) {
            producer.send(new ProducerRecord<>(topic, "k", "hello over SCRAM")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = clients.consumer("sasl-group", "sasl-test", Map.of())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals("hello over SCRAM", r.value());
                    return;
                }
            }
        }
        throw new AssertionError("the record never came back over the SCRAM listener");
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() {
        try (Admin admin = clients(USER, "not-" + PASSWORD).admin()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof SaslAuthenticationException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void aSaslProtocolWithoutCredentialsStopsTheServiceAtStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KafkaClients(
                new Settings(kafka.bootstrap(), "SASL_PLAINTEXT", Optional.empty(), Optional.empty())));
        assertTrue(e.getMessage().contains("genq.kafka.sasl-username"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KafkaClients(
                new Settings(kafka.bootstrap(), "SSL_PLEASE", Optional.empty(), Optional.empty())));
    }

    @Test
    void quotesAndBackslashesInAPasswordAreEscapedForJaas() {
        Object jaas = KafkaClients.security(new Settings("x:1", "SASL_SSL", Optional.of("u"), Optional.of("a\"b\\c")))
                .get("sasl.jaas.config");
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"a\\\"b\\\\c\";", jaas);
        assertEquals(Set.of("security.protocol"), KafkaClients.security(
                new Settings("x:1", "PLAINTEXT", Optional.empty(), Optional.empty())).keySet());
    }
}
