package dev.genq.worker.job;

import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.objectstore.ObjectStoreUnavailableException;
import dev.genq.storage.outage.Causes;
import dev.genq.storage.outage.DatabaseOutage;
import dev.genq.storage.tracing.MessagingSpans;
import dev.genq.storage.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import dev.genq.worker.WorkerSettings;
import dev.genq.worker.batch.BatchSettings;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import dev.genq.worker.engine.NonFiniteOutputException;
import org.jboss.logging.Logger;

/**
 * Consumes the job topics and hands each job to {@link JobRunner}, keeping up to
 * {@code genq.worker.batch.max-jobs-in-flight} jobs running at once so the batcher can group them.
 * A record's offset is committed only once its job is durable and every earlier record of its
 * partition is too. A job whose infrastructure keeps failing is retried with exponential backoff up
 * to {@code genq.worker.max-attempts}, then failed with code {@code object_store_unavailable} or
 * {@code worker_error}; if even that cannot be recorded, it keeps being retried at the longest backoff,
 * never dropped. While the database is unreachable no attempt is spent.
 */
@ApplicationScoped
public class JobConsumer {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

    private record Finished(TopicPartition partition, long offset) {
    }

    private final KafkaClients kafka;
    private final JobRunner runner;
    private final WorkerSettings settings;
    private final dev.genq.storage.retry.Backoff backoff;
    private final BatchSettings batch;
    private final MessagingSpans spans;
    /** How long a job message waited in Kafka before this worker read it. */
    private final io.micrometer.core.instrument.Timer messageAge;
    private final OffsetTracker offsets = new OffsetTracker();
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "genq-job-retry"));
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;

    public JobConsumer(KafkaClients kafka, JobRunner runner, WorkerSettings settings, BatchSettings batch,
                       MessagingSpans spans, dev.genq.worker.metrics.WorkerMeters meters) {
        this.spans = spans;
        this.messageAge = meters.messageAge();
        this.kafka = kafka;
        this.runner = runner;
        this.settings = settings;
        this.backoff = new dev.genq.storage.retry.Backoff(settings.retryBackoff(), settings.maxBackoff());
        this.batch = batch;
    }

    void start(@Observes @Priority(100) StartupEvent ignored) {
        consumer = kafka.consumer(settings.consumerGroup(), "genq-worker", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batch.maxJobsInFlight(),
                // the consumer keeps polling (paused) while jobs run, so this only bounds a stuck thread
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(15).toMillis()));
        running = true;
        thread = new Thread(this::loop, "genq-job-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        retries.shutdownNow();
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            thread.join(30_000);
        }
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.JOBS_PREVIEW, Topics.JOBS_FULL), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commitFinished();
                    offsets.forget(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }
            });
            while (running) {
                commitFinished();
                if (offsets.inFlight() >= batch.maxJobsInFlight()) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    offsets.track(tp, record.offset());
                    messageAge.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - record.timestamp())));
                    JobRequested message;
                    try {
                        message = EventCodec.decode(record.value(), JobRequested.class);
                    } catch (IllegalArgumentException e) {
                        LOG.errorf("skipping an unreadable message at %s@%d: %s", tp, record.offset(), e.getMessage());
                        finished.add(new Finished(tp, record.offset()));
                        continue;
                    }
                    attempt(new Finished(tp, record.offset()), message, TraceContext.fromHeaders(record.headers()), 1,
                            backoff.nextMillis(0));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("job consumer stopped", e);
        } finally {
            commitFinished();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** @param trace the job's trace, as the record carried it: every attempt is a span of it */
    private void attempt(Finished record, JobRequested message, Context trace, int attempt, long backoffMs) {
        if (!running) {
            return;
        }
        Span span = spans.process(record.partition().topic(), trace, message.jobId());
        span.setAttribute("genq.attempt", attempt);
        java.util.concurrent.CompletableFuture<?> run;
        try (Scope ignored = span.makeCurrent()) {
            run = runner.run(message);
        } catch (RuntimeException e) {
            run = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        run.whenComplete((outcome, error) -> {
            MessagingSpans.end(span, error);
            if (error == null) {
                finished.add(record);
            } else if (DatabaseOutage.isCause(error)) {
                // not the job's fault, and no failure could be recorded anyway: wait for the database
                // without spending an attempt (should this worker die meanwhile, the sweeper re-queues the job)
                LOG.warnf("job %s: database unavailable (%s); retrying in %d ms", message.jobId(), error.getMessage(), backoffMs);
                retry(() -> attempt(record, message, trace, attempt, backoff.nextMillis(backoffMs)), backoffMs);
            } else if (attempt < settings.maxAttempts() && !deterministic(error)) {
                LOG.warnf("job %s: attempt %d failed (%s); retrying in %d ms", message.jobId(), attempt,
                        error.getMessage(), backoffMs);
                retry(() -> attempt(record, message, trace, attempt + 1, backoff.nextMillis(backoffMs)), backoffMs);
            } else if (failJob(message, error, trace)) {
                finished.add(record);
            } else {
                retry(() -> attempt(record, message, trace, attempt, settings.maxBackoff().toMillis()), settings.maxBackoff().toMillis());
            }
        });
    }

    private void retry(Runnable action, long delayMs) {
        try {
            retries.schedule(action, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the uncommitted record is redelivered after the restart
        }
    }

    private boolean failJob(JobRequested message, Throwable cause, Context trace) {
        try (Scope ignored = trace.makeCurrent()) { // the job.failed event continues the job's trace
            Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(message.jobId()));
            if (job != null) {
                runner.fail(job, failureCode(cause), deterministic(cause) ? Causes.chain(cause).filter(NonFiniteOutputException.class::isInstance).findFirst().orElseThrow().getMessage()
                        : "the worker could not complete the job after " + settings.maxAttempts() + " attempts: " + cause.getMessage());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.errorf("job %s: could not record the failure either (%s); it will be retried", message.jobId(), e.getMessage());
            return false;
        }
    }

    /** A stable code for what kept failing, so clients and dashboards can tell an outage from a bug. */
    static String failureCode(Throwable cause) {
        if (deterministic(cause)) {
            return NonFiniteOutputException.CODE;
        }
        return Causes.chain(cause).anyMatch(ObjectStoreUnavailableException.class::isInstance)
                ? "object_store_unavailable" : "worker_error";
    }

    /** A failure another attempt would repeat (same model, seed and parameters): fail at once. */
    static boolean deterministic(Throwable cause) {
        return Causes.chain(cause).anyMatch(NonFiniteOutputException.class::isInstance);
    }

    /** Consumer thread only. */
    private void commitFinished() {
        for (Finished f; (f = finished.poll()) != null; ) {
            offsets.done(f.partition(), f.offset());
        }
        var ready = offsets.committable();
        if (!ready.isEmpty()) {
            consumer.commitSync(ready);
        }
    }
}
