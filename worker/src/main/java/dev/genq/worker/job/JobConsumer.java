package dev.genq.worker.job;

import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.Topics;
import dev.genq.worker.WorkerSettings;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Consumes the job topics on one thread and commits each offset only after {@link JobRunner} made the
 * result durable. A job whose infrastructure keeps failing is retried with exponential backoff up to
 * {@code genq.worker.max-attempts}, then failed with code {@code worker_error}; if even that cannot be
 * recorded, the offset stays uncommitted and the message comes back.
 */
@ApplicationScoped
public class JobConsumer {
    private static final Logger LOG = Logger.getLogger(JobConsumer.class);

    private final KafkaClients kafka;
    private final JobRunner runner;
    private final WorkerSettings settings;
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, String> producer;

    public JobConsumer(KafkaClients kafka, JobRunner runner, WorkerSettings settings) {
        this.kafka = kafka;
        this.runner = runner;
        this.settings = settings;
    }

    void start(@Observes @Priority(100) StartupEvent ignored) {
        producer = kafka.producer("genq-worker");
        consumer = kafka.consumer(settings.consumerGroup(), "genq-worker", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8,
                // a job may take minutes on a CPU; the group must not evict a worker that is busy on one
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(15).toMillis()));
        running = true;
        thread = new Thread(this::loop, "genq-job-consumer");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            thread.join(30_000);
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.JOBS_PREVIEW, Topics.JOBS_FULL));
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (!handle(record)) {
                        // not durable and not failed: read it again after a pause
                        consumer.seek(new TopicPartition(record.topic(), record.partition()), record.offset());
                        sleep(settings.maxBackoff().toMillis());
                        break;
                    }
                    consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("job consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** @return true when the record is dealt with for good and its offset may be committed */
    private boolean handle(ConsumerRecord<String, String> record) {
        JobRequested message;
        try {
            message = EventCodec.decode(record.value(), JobRequested.class);
        } catch (IllegalArgumentException e) {
            LOG.errorf("skipping an unreadable message at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return true;
        }
        long backoff = settings.retryBackoff().toMillis();
        for (int attempt = 1; running; attempt++) {
            try {
                runner.run(message, producer);
                return true;
            } catch (RuntimeException e) {
                if (attempt >= settings.maxAttempts()) {
                    LOG.errorf(e, "job %s: giving up after %d attempts", message.jobId(), attempt);
                    return failJob(message, e);
                }
                LOG.warnf("job %s: attempt %d failed (%s); retrying in %d ms", message.jobId(), attempt,
                        e.getMessage(), backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
            }
        }
        return false;
    }

    private boolean failJob(JobRequested message, RuntimeException cause) {
        try {
            Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(message.jobId()));
            if (job != null) {
                runner.fail(job, "worker_error", "the worker could not complete the job: " + cause.getMessage());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.errorf("job %s: could not record the failure either (%s); it will be retried", message.jobId(), e.getMessage());
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
