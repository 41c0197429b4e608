package dev.genq.moderation.release;

import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.messaging.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Consumes samples.generated and commits each offset only after the sample is settled. A failing
 * sample is retried with exponential backoff; it is never skipped, because skipping would leave an
 * image unreleased forever (nothing is ever released unscored or unrecorded).
 */
@ApplicationScoped
public class SampleConsumer {
    private static final Logger LOG = Logger.getLogger(SampleConsumer.class);

    @ConfigMapping(prefix = "genq.moderation")
    public interface Settings {
        @WithDefault("genq-moderation")
        String consumerGroup();

        @WithDefault("PT0.5S")
        Duration retryBackoff();

        @WithDefault("PT10S")
        Duration maxBackoff();
    }

    private final KafkaClients kafka;
    private final SampleModerator releaser;
    private final Settings settings;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;

    public SampleConsumer(KafkaClients kafka, SampleModerator releaser, Settings settings) {
        this.kafka = kafka;
        this.releaser = releaser;
        this.settings = settings;
    }

    void start(@Observes StartupEvent ignored) {
        consumer = kafka.consumer(settings.consumerGroup(), "genq-moderation", Map.of());
        running = true;
        thread = new Thread(this::loop, "genq-sample-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(30_000);
    }

    private void loop() {
        long backoff = settings.retryBackoff().toMillis();
        try {
            consumer.subscribe(List.of(Topics.SAMPLES_GENERATED));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    try {
                        releaser.handle(EventCodec.decode(record.value(), SampleGenerated.class));
                        backoff = settings.retryBackoff().toMillis();
                    } catch (IllegalArgumentException e) {
                        LOG.errorf("skipping an unreadable event at %s@%d: %s", tp, record.offset(), e.getMessage());
                    } catch (RuntimeException e) {
                        LOG.warnf("sample event at %s@%d failed (%s); retrying in %d ms", tp, record.offset(),
                                e.getMessage(), backoff);
                        consumer.seek(tp, record.offset());
                        Thread.sleep(backoff);
                        backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
                        break;
                    }
                    consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("sample consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
