package dev.genq.moderation.release;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.PollProgress;
import dev.genq.storage.outage.Causes;
import dev.genq.storage.outage.DatabaseOutage;
import dev.genq.storage.objectstore.ObjectStoreUnavailableException;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.tracing.MessagingSpans;
import dev.genq.storage.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Consumes samples.generated, moderating up to {@code genq.moderation.concurrency} samples at once, and
 * commits an offset only after its sample and every earlier one of its partition is settled. A failing
 * sample is retried with exponential backoff (capped at {@code max-backoff}); it is never skipped,
 * because skipping would leave an image unreleased forever (nothing is released unscored or unrecorded).
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

        /** Samples moderated at the same time (each mostly waits on S3 and Postgres). */
        @WithDefault("4")
        int concurrency();

        /**
         * Failures of one sample (not counting database or object-store outages, which are retried for as long
         * as they last) after which it is parked so that its partition moves on.
         */
        @WithDefault("5")
        int maxAttempts();

        /** Samples taken from Kafka per poll, at most (every one is moderated before the next poll). */
        @WithDefault("8")
        int pollRecords();
    }

    private final KafkaClients kafka;
    private final SampleModerator releaser;
    private final Settings settings;
    private final MessagingSpans spans;
    private final io.micrometer.core.instrument.Timer eventAge;
    private final io.micrometer.core.instrument.Timer sampleDuration;
    private final ExecutorService pool;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;
    /** Failures per record (partition@offset) still being retried; consumer thread only. */
    private final Map<String, Integer> failures = new HashMap<>();

    public SampleConsumer(KafkaClients kafka, SampleModerator releaser, Settings settings, MessagingSpans spans,
                          ModerationMeters meters) {
        this.spans = spans;
        this.eventAge = meters.eventAge();
        this.sampleDuration = meters.sampleDuration();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(settings.concurrency(), r -> new Thread(r, "genq-moderator-" + n.incrementAndGet()));
        this.kafka = kafka;
        this.releaser = releaser;
        this.settings = settings;
    }

    void start(@Observes StartupEvent ignored) {
        // small polls: a poll's samples are all moderated before the next poll, so its size bounds how long a sample
        // that just arrived waits behind others (see FairOrder for the order within a poll)
        consumer = kafka.consumer(settings.consumerGroup(), "genq-moderation",
                Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.pollRecords()));
        running = true;
        thread = new Thread(this::loop, "genq-sample-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(30_000);
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void loop() {
        Backoff backoff = new Backoff(settings.retryBackoff(), settings.maxBackoff());
        Backoff.Delay delay = backoff.delay();
        try {
            consumer.subscribe(List.of(Topics.SAMPLES_GENERATED));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                Map<ConsumerRecord<String, String>, Future<?>> handled = new LinkedHashMap<>();
                for (ConsumerRecord<String, String> record : FairOrder.of(records)) {
                    handled.put(record, pool.submit(() -> handle(record)));
                }
                PollProgress<String, String> progress = new PollProgress<>(records);
                for (TopicPartition tp : records.partitions()) {
                    // each partition up to its first failure; that record and what follows are read again
                    for (ConsumerRecord<String, String> record : records.records(tp)) {
                        long wait = backoff.nextMillis(delay.currentMillis()); // what a failure here waits
                        if (!succeeded(handled.get(record), tp, record, wait) && !parked(tp, record, handled.get(record))) {
                            break;
                        }
                        failures.remove(tp + "@" + record.offset());
                        progress.done(record);
                    }
                }
                if (!progress.settle(consumer)) {
                    // the records after a failure are read again: their first run must end before the second starts,
                    // or the same sample is scored and copied twice at once and the loser fails spuriously
                    awaitAll(handled.values());
                    Thread.sleep(delay.failed());
                } else {
                    delay.succeeded();
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

    /** Moderates one sample (idempotent: a redelivered event for a decided sample changes nothing). */
    private void handle(ConsumerRecord<String, String> record) {
        SampleGenerated event;
        try {
            event = EventCodec.decode(record.value(), SampleGenerated.class);
        } catch (IllegalArgumentException e) {
            LOG.errorf("skipping an unreadable event at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        // how long each hop took, for the on-call dashboard and the platform bench
        eventAge.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - record.timestamp())));
        // the job's trace goes on: the sample.released / job.* events this writes carry this span
        Span span = spans.process(record.topic(), TraceContext.fromHeaders(record.headers()), event.jobId());
        span.setAttribute("genq.sample.idx", event.idx());
        try (Scope ignored = span.makeCurrent()) {
            sampleDuration.record(() -> releaser.handle(event));
            span.end();
        } catch (RuntimeException e) {
            MessagingSpans.end(span, e);
            throw e;
        }
    }

    private static void awaitAll(java.util.Collection<Future<?>> results) throws InterruptedException {
        for (Future<?> result : results) {
            try {
                result.get();
            } catch (ExecutionException ignored) {
                // its record is read again (or was logged by succeeded)
            }
        }
    }

    /**
     * Counts a failure of the record; at {@code max-attempts} (outages of the database or the object store do
     * not count) parks its sample so the partition moves on. @return whether it was parked
     */
    private boolean parked(TopicPartition tp, ConsumerRecord<String, String> record, Future<?> result) {
        Throwable cause;
        try {
            result.get();
            return false;
        } catch (ExecutionException e) {
            cause = e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (DatabaseOutage.isCause(cause) || Causes.chain(cause).anyMatch(ObjectStoreUnavailableException.class::isInstance)) {
            return false;
        }
        int n = failures.merge(tp + "@" + record.offset(), 1, Integer::sum);
        if (n < settings.maxAttempts()) {
            return false;
        }
        try {
            SampleGenerated event = EventCodec.decode(record.value(), SampleGenerated.class);
            releaser.park(event, "failed " + n + " times: " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
            return true; // parked now, or decided meanwhile: either way the record is done
        } catch (RuntimeException e) {
            LOG.warnf("sample event at %s@%d: could not park it (%s); retrying", tp, record.offset(), e.getMessage());
            return false;
        }
    }

    private boolean succeeded(Future<?> result, TopicPartition tp, ConsumerRecord<String, String> record, long backoff)
            throws InterruptedException {
        try {
            result.get();
            return true;
        } catch (ExecutionException e) {
            LOG.warnf("sample event at %s@%d failed (%s); retrying in %d ms", tp, record.offset(),
                    e.getCause().getMessage(), backoff);
            return false;
        }
    }

}
