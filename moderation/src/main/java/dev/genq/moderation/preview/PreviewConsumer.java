package dev.genq.moderation.preview;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.PreviewGenerated;
import dev.genq.storage.messaging.PreviewModerated;
import dev.genq.storage.messaging.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads workers' live previews, has each decided by {@link PreviewModerator}, and publishes the answer for
 * the gateways. Best effort, unlike samples: offsets are committed automatically and a preview that fails
 * is dropped (counted), because the next one or the final sample supersedes it; it is never released unscored.
 */
@ApplicationScoped
public class PreviewConsumer {
    private static final Logger LOG = Logger.getLogger(PreviewConsumer.class);

    private final KafkaClients kafka;
    private final PreviewModerator moderator;
    private final PreviewSettings settings;
    private final ModerationMeters meters;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, String> producer;

    public PreviewConsumer(KafkaClients kafka, PreviewModerator moderator, PreviewSettings settings, ModerationMeters meters) {
        this.kafka = kafka;
        this.moderator = moderator;
        this.settings = settings;
        this.meters = meters;
    }

    void start(@Observes StartupEvent ignored) {
        consumer = kafka.consumer(settings.consumerGroup(), "genq-moderation-previews", Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
        producer = kafka.producer("genq-moderation-previews", Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.RETRIES_CONFIG, 0));
        running = true;
        thread = new Thread(this::loop, "genq-preview-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        producer.close(Duration.ofSeconds(2));
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.PREVIEWS_GENERATED));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("preview consumer woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("preview consumer stopped; jobs go on without live previews", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        try {
            PreviewGenerated preview = EventCodec.decode(record.value(), PreviewGenerated.class);
            moderator.decide(preview).ifPresent(answer -> producer.send(new ProducerRecord<>(Topics.PREVIEWS_MODERATED,
                    answer.jobId().toString(), EventCodec.encode(answer)), (metadata, error) -> {
                        if (error != null) {
                            meters.previews("failed").increment();
                        }
                    }));
        } catch (RuntimeException e) {
            meters.previews("failed").increment();
            LOG.debugf("preview at %s-%d@%d dropped: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
        }
    }
}
