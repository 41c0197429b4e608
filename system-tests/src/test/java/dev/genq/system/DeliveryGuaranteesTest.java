package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genq.local.EmbeddedStack;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Nothing accepted is lost; nothing is produced or billed twice; cancel stops a running job. */
class DeliveryGuaranteesTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    @Test
    void redeliveredMessagesProduceNoSecondSampleObjectOrCostRow() throws Exception {
        String id = platform.submit("{\"prompt\":\"a pink heart\",\"num_samples\":2,\"steps\":5}");
        JsonNode done = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        UUID jobId = UUID.fromString(id);

        // the very same messages again, as Kafka delivers them after a consumer crashed before committing
        RecordMetadata jobMsg = produce("genq.jobs.preview", id,
                platform.text("select payload from outbox where message_key = ? and topic = 'genq.jobs.preview'", id));
        RecordMetadata sampleMsg = produce("genq.samples.generated", id, String.format(
                "{\"jobId\":\"%s\",\"tenantId\":\"%s\",\"idx\":0,\"objectKey\":\"%s\",\"sha256\":\"%s\"}", id,
                platform.text("select tenant_id::text from jobs where id = ?", jobId),
                platform.text("select object_key from samples where job_id = ? and idx = 0", jobId),
                platform.text("select sha256 from samples where job_id = ? and idx = 0", jobId)));
        awaitCommitted("genq-workers", jobMsg);
        awaitCommitted("genq-moderation", sampleMsg);

        assertEquals(2, platform.count("select count(*) from samples where job_id = ?", jobId));
        assertEquals(2, platform.count("select count(*) from sample_costs where job_id = ?", jobId));
        JsonNode after = platform.get("/v1/jobs/" + id).body();
        assertEquals("succeeded", after.path("status").asText());
        assertEquals(done.path("cost").path("usd").decimalValue(), after.path("cost").path("usd").decimalValue());
        assertEquals(2, platform.objects("genq-outputs", id).size());
        assertEquals(0, platform.objects("genq-pending", id).size());
    }

    @Test
    void canceledRunningJobStopsWithinOneStepAndPaysOnlyForStepsRun() throws Exception {
        String id = platform.submit("{\"prompt\":\"a slow yellow sun\",\"num_samples\":4,\"steps\":1000,\"seed\":5}");
        UUID jobId = UUID.fromString(id);
        platform.awaitJob(id, JOB_TIMEOUT, j -> "running".equals(j.path("status").asText()) && j.path("progress").asDouble() > 0);

        Platform.Reply canceled = platform.post("/v1/jobs/" + id + "/cancel", "");
        assertEquals(200, canceled.status(), canceled.raw());
        assertEquals("canceled", canceled.body().path("status").asText());
        // cancel froze steps_done: the worker's progress update is a compare-and-set on 'running'
        long stepsAtCancel = platform.count("select steps_done from jobs where id = ?", jobId);

        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (platform.count("select count(*) from sample_costs where job_id = ?", jobId) < 4 && System.nanoTime() < deadline) {
            Platform.sleep(100);
        }
        assertEquals(4, platform.count("select count(*) from sample_costs where job_id = ?", jobId), "each sample billed once");
        long stepsBilled = platform.count("select max(steps) from sample_costs where job_id = ?", jobId);
        assertTrue(stepsBilled <= stepsAtCancel + 1, "ran " + stepsBilled + " steps; canceled at " + stepsAtCancel);
        assertTrue(stepsBilled < 1000);
        assertEquals(0, platform.count("select count(*) from samples where job_id = ?", jobId), "no sample kept");
        JsonNode job = platform.get("/v1/jobs/" + id).body();
        assertEquals("canceled", job.path("status").asText());
        assertTrue(job.path("cost").path("usd").decimalValue().signum() > 0, "canceled jobs pay for the steps they ran");
    }

    @Test
    void jobAcceptedWhileKafkaIsDownCompletesWhenItReturns() {
        EmbeddedStack stack = platform.stack;
        String id;
        stack.stopKafka();
        try {
            id = platform.submit("{\"prompt\":\"a brown dog\",\"steps\":4}");
            assertEquals("queued", platform.get("/v1/jobs/" + id).body().path("status").asText());
            Platform.sleep(2000);
            assertEquals("queued", platform.get("/v1/jobs/" + id).body().path("status").asText());
        } finally {
            stack.restartKafka();
        }
        platform.awaitStatus(id, "succeeded", Duration.ofSeconds(120));
    }

    @Test
    void canceledQueuedJobIsNeverRunNorBilled() throws Exception {
        EmbeddedStack stack = platform.stack;
        String id;
        stack.stopKafka(); // keeps the job queued: the outbox cannot publish it yet
        try {
            id = platform.submit("{\"prompt\":\"never drawn\",\"num_samples\":2}");
            Platform.Reply canceled = platform.post("/v1/jobs/" + id + "/cancel", "");
            assertEquals(200, canceled.status(), canceled.raw());
            assertEquals("canceled", canceled.body().path("status").asText());
        } finally {
            stack.restartKafka();
        }
        UUID jobId = UUID.fromString(id);
        // the message is published after all; wait until the worker has consumed and committed it
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (platform.count("select count(*) from outbox where message_key = ? and topic like 'genq.jobs.%' and sent_at is not null", id) == 0
                && System.nanoTime() < deadline) {
            Platform.sleep(100);
        }
        // the job's request message, not its job events (same key, other topic)
        String topic = platform.text("select topic from outbox where message_key = ? and topic like 'genq.jobs.%'", id);
        awaitCommittedPast(topic, id);
        JsonNode job = platform.get("/v1/jobs/" + id).body();
        assertEquals("canceled", job.path("status").asText());
        assertEquals(0, job.path("progress").asDouble());
        assertEquals(0, platform.count("select count(*) from samples where job_id = ?", jobId));
        assertEquals(0, platform.count("select count(*) from sample_costs where job_id = ?", jobId), "never billed");
    }

    /** Waits until the worker group has committed past the message keyed {@code key} on {@code topic}. */
    private void awaitCommittedPast(String topic, String key) throws Exception {
        Properties p = new Properties();
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.stack.kafkaBootstrap());
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(java.util.List.of(topic));
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (var rec : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(rec.key())) {
                        awaitCommitted("genq-workers", new RecordMetadata(
                                new TopicPartition(rec.topic(), rec.partition()), rec.offset(), 0, 0, 0, 0));
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no message for " + key + " on " + topic);
    }

    private RecordMetadata produce(String topic, String key, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.stack.kafkaBootstrap());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private void awaitCommitted(String group, RecordMetadata sent) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.stack.kafkaBootstrap());
        TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
        try (Admin admin = Admin.create(p)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                OffsetAndMetadata committed = offsets.get(tp);
                if (committed != null && committed.offset() > sent.offset()) {
                    return;
                }
                Platform.sleep(100);
            }
        }
        throw new AssertionError(group + " did not get past " + sent);
    }
}
