package dev.genq.moderation.preview;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.storage.messaging.BestEffortReader;
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
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    private BestEffortReader reader;
    private KafkaProducer<String, String> producer;

    public PreviewConsumer(KafkaClients kafka, PreviewModerator moderator, PreviewSettings settings, ModerationMeters meters) {
        this.kafka = kafka;
        this.moderator = moderator;
        this.settings = settings;
        this.meters = meters;
    }

    void start(@Observes StartupEvent ignored) {
        producer = kafka.bestEffortProducer("genq-moderation-previews");
        reader = new BestEffortReader(kafka.consumer(settings.consumerGroup(), "genq-moderation-previews", Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50)), Topics.PREVIEWS_GENERATED, "genq-preview-consumer", this::handle);
        reader.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        reader.stop();
        producer.close(Duration.ofSeconds(2));
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
