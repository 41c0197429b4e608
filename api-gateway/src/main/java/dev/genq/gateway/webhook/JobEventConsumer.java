package dev.genq.gateway.webhook;

import dev.genq.gateway.job.JobsLeftPipeline;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.PollProgress;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.tracing.MessagingSpans;
import dev.genq.storage.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Consumes genq.job-events and turns each into a persisted webhook delivery; the offset is committed only
 * after the delivery row is, and a failure (Postgres down) retries the same event with capped backoff.
 */
@ApplicationScoped
public class JobEventConsumer {
    private static final Logger LOG = Logger.getLogger(JobEventConsumer.class);
    static final String GROUP = "genq-gateway-webhooks";

    private final KafkaClients kafka;
    private final WebhookDeliveries deliveries;
    private final WebhookDispatcher dispatcher;
    private final jakarta.enterprise.event.Event<JobsLeftPipeline> jobsLeft;
    /** Events after which a job no longer counts against the dispatch depth ({@link JobsLeftPipeline}). */
    private static final java.util.Set<String> LEFT_PIPELINE = java.util.Set.of(JobEvent.JOB_SUCCEEDED, JobEvent.JOB_FAILED,
            JobEvent.JOB_CANCELED, JobEvent.JOB_NEEDS_REVIEW, JobEvent.JOB_REJECTED);
    private final MessagingSpans spans;
    private final Backoff backoff;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;

    public JobEventConsumer(KafkaClients kafka, WebhookDeliveries deliveries, WebhookDispatcher dispatcher,
                            MessagingSpans spans, WebhookSettings settings, jakarta.enterprise.event.Event<JobsLeftPipeline> jobsLeft) {
        this.kafka = kafka;
        this.jobsLeft = jobsLeft;
        this.backoff = settings.failureBackoff();
        this.spans = spans;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
    }

    void start(@Observes StartupEvent ignored) {
        consumer = kafka.consumer(GROUP, "genq-gateway-webhooks", Map.of());
        running = true;
        thread = new Thread(this::loop, "genq-job-event-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    private void loop() {
        Backoff.Delay delay = backoff.delay();
        try {
            consumer.subscribe(List.of(Topics.JOB_EVENTS));
            while (running) {
                boolean created = false;
                boolean left = false;
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                PollProgress<String, String> progress = new PollProgress<>(records);
                long failedWait = -1;
                for (ConsumerRecord<String, String> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    Span span = spans.process(record.topic(), TraceContext.fromHeaders(record.headers()), null);
                    try (Scope ignored = span.makeCurrent()) {
                        JobEvent event = EventCodec.decode(record.value(), JobEvent.class);
                        created |= deliveries.enqueue(event);
                        left |= LEFT_PIPELINE.contains(event.type());
                        delay.succeeded();
                        span.end();
                    } catch (IllegalArgumentException e) {
                        MessagingSpans.end(span, e);
                        LOG.errorf("skipping an unreadable job event at %s@%d: %s", tp, record.offset(), e.getMessage());
                    } catch (RuntimeException e) {
                        MessagingSpans.end(span, e);
                        failedWait = delay.failed();
                        LOG.warnf("job event at %s@%d not taken up (%s); retrying in %d ms", tp, record.offset(),
                                e.getMessage(), failedWait);
                        break; // it and everything after it, in every partition of this poll, is read again
                    }
                    progress.done(record);
                }
                // enqueue is idempotent (the event id is the delivery's key): a crash before this commit only repeats it
                progress.settle(consumer);
                if (failedWait >= 0) {
                    Thread.sleep(failedWait);
                }
                if (created) {
                    dispatcher.wake();
                }
                if (left) { // a job left the pipeline: its place in the dispatch depth can go to the next one now
                    jobsLeft.fire(new JobsLeftPipeline());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("job event consumer woken unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("job event consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
