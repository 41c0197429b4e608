package dev.genq.gateway.outbox;

import static dev.genq.gateway.TestKeys.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.local.EmbeddedStack;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.outbox.OutboxMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OutboxRelayTest {

    static OutboxMessage outboxRowFor(String jobId) {
        return QuarkusTransaction.requiringNew().call(() ->
                OutboxMessage.<OutboxMessage>find("messageKey", jobId).firstResult());
    }

    @Test
    void jobAcceptedWhileKafkaIsDownIsPublishedWhenItReturns() throws Exception {
        EmbeddedStack stack = EmbeddedStack.shared();
        String id;
        stack.stopKafka();
        try {
            id = given().contentType(ContentType.JSON).body("{\"prompt\":\"while kafka sleeps\",\"mode\":\"full\"}")
                    .when().post("/v1/jobs").then().statusCode(202).extract().path("id");
            // the fair dispatcher writes the job's outbox row when its turn comes (not in the submit), then the relay
            // tries and fails at least once: wait for both, bounded
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            OutboxMessage row = outboxRowFor(id);
            while ((row == null || row.attempts == 0) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                row = outboxRowFor(id);
            }
            assertNotNull(row, "the dispatcher queued the job's message while Kafka was down");
            assertTrue(row.attempts >= 1, "the relay tried while Kafka was down");
            assertNull(row.sentAt, "nothing is marked sent while Kafka is down");
            assertNotNull(row.lastError);
        } finally {
            stack.restartKafka();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (outboxRowFor(id).sentAt == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertNotNull(outboxRowFor(id).sentAt, "published after Kafka came back");

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.JOBS_FULL));
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            ConsumerRecord<String, String> found = null;
            while (found == null && System.nanoTime() < until) {
                for (var rec : consumer.poll(Duration.ofMillis(500))) {
                    if (rec.key().equals(id)) {
                        found = rec;
                    }
                }
            }
            assertNotNull(found, "the job's message is on " + Topics.JOBS_FULL);
            JobRequested msg = EventCodec.decode(found.value(), JobRequested.class);
            assertEquals(UUID.fromString(id), msg.jobId());
            assertEquals("full", msg.mode());
        }
    }

    @jakarta.inject.Inject
    OutboxRelay relay;

    @Test
    void sentRowsOlderThanTheRetentionArePurgedAndNothingUnsentEverIs() {
        UUID tenant = UUID.randomUUID();
        String oldSent = "purge-" + UUID.randomUUID();
        String recentSent = "purge-" + UUID.randomUUID();
        String oldUnsent = "purge-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            var em = OutboxMessage.getEntityManager();
            String insert = "insert into outbox (tenant_id, topic, message_key, payload, created_at, sent_at) "
                    + "values (?1, 'genq.test.purge', ?2, '{}', now() - interval '3 hours', ?3)";
            em.createNativeQuery(insert).setParameter(1, tenant).setParameter(2, oldSent)
                    .setParameter(3, java.time.OffsetDateTime.now().minusHours(2)).executeUpdate();
            em.createNativeQuery(insert).setParameter(1, tenant).setParameter(2, recentSent)
                    .setParameter(3, java.time.OffsetDateTime.now().minusMinutes(5)).executeUpdate();
            em.createNativeQuery(insert.replace("?3", "null").replace("'genq.test.purge'", "'" + Topics.JOB_EVENTS + "'"))
                    .setParameter(1, tenant).setParameter(2, oldUnsent).executeUpdate();
        });
        try {
            int purged = QuarkusTransaction.requiringNew().call(relay::purgeSent);
            assertTrue(purged >= 1, "the old sent row is purged");
            assertNull(outboxRowFor(oldSent), "sent two hours ago, retention one hour: deleted");
            assertNotNull(outboxRowFor(recentSent), "sent five minutes ago: kept");
            assertNotNull(outboxRowFor(oldUnsent), "never sent: kept, however old");
        } finally {
            // the relay may publish the unsent row meanwhile: to a real topic, whose consumer skips '{}'
            QuarkusTransaction.requiringNew().run(() -> OutboxMessage.delete("tenantId", tenant));
        }
    }
}
