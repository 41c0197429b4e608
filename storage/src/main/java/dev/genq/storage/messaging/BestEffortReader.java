package dev.genq.storage.messaging;

import dev.genq.storage.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * One thread reading one topic for a reader that may miss messages (live previews): each record goes to the
 * handler once; a record the handler fails on is dropped (the handler counts it), and a failing poll is tried
 * again after a capped backoff, so the reader never stops for good while its service runs.
 */
public final class BestEffortReader {
    private static final Logger LOG = Logger.getLogger(BestEffortReader.class);

    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final Consumer<ConsumerRecord<String, String>> handler;
    private final Thread thread;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    private volatile boolean running;

    public BestEffortReader(KafkaConsumer<String, String> consumer, String topic, String threadName,
                            Consumer<ConsumerRecord<String, String>> handler) {
        this.consumer = consumer;
        this.topic = topic;
        this.handler = handler;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        running = true;
        thread.start();
    }

    public void stop() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    private void loop() {
        Backoff.Delay delay = backoff.delay();
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                try {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        try {
                            handler.accept(record);
                        } catch (RuntimeException e) {
                            LOG.debugf("%s: record %d-%d dropped: %s", topic, record.partition(), record.offset(), e.getMessage());
                        }
                    }
                    delay.succeeded();
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    long wait = delay.failed();
                    LOG.warnf("%s: reading failed (%s); again in %d ms", topic, e.getMessage(), wait);
                    Thread.sleep(wait);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.errorf(e, "%s reader woken unexpectedly", topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
