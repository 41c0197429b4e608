package dev.genq.worker.preview;

import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.PreviewGenerated;
import dev.genq.storage.messaging.Topics;
import dev.genq.worker.metrics.WorkerMeters;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import dev.genq.storage.job.ImageSize;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Sends live previews to moderation, off the denoising thread: the engine hands over an estimate and goes
 * on; one thread encodes and sends. Best effort by design: a full queue, a slow broker or a failed send
 * drops the preview (counted), never delays or fails the job.
 */
@ApplicationScoped
public class PreviewPublisher {
    private static final Logger LOG = Logger.getLogger(PreviewPublisher.class);

    /** One sample's estimate, as the engine handed it over. */
    public record Estimate(UUID jobId, UUID tenantId, String stage, int sample, int step, int steps, float[] chw,
                           ImageSize size) {
    }

    private final PreviewSettings settings;
    private final WorkerMeters meters;
    private final KafkaProducer<String, String> producer;
    private final ThreadPoolExecutor sender;

    public PreviewPublisher(PreviewSettings settings, KafkaClients kafka, WorkerMeters meters) {
        this.settings = settings;
        this.meters = meters;
        this.producer = kafka.bestEffortProducer("genq-worker-previews"); // a late preview is a useless one
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(settings.queue()),
                r -> {
                    Thread t = new Thread(r, "genq-preview-sender");
                    t.setDaemon(true);
                    return t;
                });
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        sender.shutdownNow();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(2));
    }

    /** Queues one preview; returns at once. */
    public void offer(Estimate e) {
        try {
            sender.execute(() -> send(e));
        } catch (RejectedExecutionException full) {
            meters.previews("dropped").increment();
        }
    }

    private void send(Estimate e) {
        try {
            String png = Base64.getEncoder().encodeToString(PreviewImage.png(e.chw(), e.size(), settings.maxSize()));
            PreviewGenerated message = new PreviewGenerated(e.jobId(), e.tenantId(), e.stage(), e.sample(), e.step(),
                    e.steps(), png, Instant.now());
            producer.send(new ProducerRecord<>(Topics.PREVIEWS_GENERATED, e.jobId().toString(), EventCodec.encode(message)),
                    (metadata, error) -> meters.previews(error == null ? "sent" : "dropped").increment());
        } catch (RuntimeException error) {
            meters.previews("dropped").increment();
            LOG.debugf("preview of job %s not sent: %s", e.jobId(), error.getMessage());
        }
    }
}
