package dev.genq.worker.job;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleCost;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.outbox.OutboxMessage;
import dev.genq.storage.outbox.OutboxPublisher;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.batch.JobExecution;
import dev.genq.worker.batch.JobOutcomes;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.stage.PngOutput;
import dev.genq.worker.metrics.WorkerMeters;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

/**
 * Makes a job's results durable, off the batcher thread so the model keeps running: PNGs into the
 * pending bucket, then samples + costs + status + the samples.generated messages (outbox) in one
 * transaction, so a stored job is always announced, however long Kafka is away. The worker publishes
 * those rows right after the commit; should Kafka be down, the gateway's outbox relay publishes them
 * later. Only after the commit does the job's future complete and the consumer commit its offset.
 */
@ApplicationScoped
public class JobFinisher implements JobOutcomes {
    private static final Logger LOG = Logger.getLogger(JobFinisher.class);

    private final ObjectStore store;
    private final CostMeter costs;
    private final WorkerMeters meters;
    private final io.micrometer.core.instrument.Timer finishWait;
    private final io.micrometer.core.instrument.Timer storeDuration;
    /** Several jobs are stored at once: each waits on S3, Postgres and Kafka round trips, not on the CPU. */
    private final ExecutorService executor;
    private final KafkaProducer<String, String> producer;

    private final OutboxPublisher outbox;
    private final JobLeases leases;

    public JobFinisher(ObjectStore store, CostMeter costs, WorkerMeters meters, KafkaClients kafka, OutboxPublisher outbox,
                       JobLeases leases, dev.genq.worker.WorkerSettings settings) {
        this.outbox = outbox;
        this.leases = leases;
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.finisherThreads(),
                r -> new Thread(r, "genq-job-finisher-" + n.incrementAndGet()));
        this.store = store;
        this.costs = costs;
        this.meters = meters;
        this.finishWait = meters.finishWait();
        this.storeDuration = meters.storeDuration();
        this.producer = kafka.producer("genq-worker");
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(5));
    }

    @Override
    public void finish(JobExecution run) {
        long queued = System.nanoTime();
        executor.execute(run.trace().wrap(() -> {
            finishWait.record(Duration.ofNanos(System.nanoTime() - queued));
            complete(run, () -> storeDuration.record(() -> store(run)));
        }));
    }

    @Override
    public void settleStopped(JobExecution run) {
        executor.execute(run.trace().wrap(() -> complete(run, () -> settleCanceled(run, List.of()))));
    }

    private void complete(JobExecution run, Runnable work) {
        try {
            work.run();
            run.complete(null);
        } catch (RuntimeException e) {
            run.complete(e);
        }
    }

    private void store(JobExecution run) {
        Job job = run.job();
        List<Sample> samples = new ArrayList<>();
        ImageSize size = run.finalSize();
        for (int i = 0; i < job.numSamples; i++) {
            PngOutput png = PngOutput.encode(run.finalImage(i), size);
            Sample s = new Sample();
            s.jobId = job.id;
            s.idx = i;
            s.tenantId = job.tenantId;
            s.status = SampleStatus.PENDING;
            s.seed = job.seed + i;
            s.width = png.width();
            s.height = png.height();
            s.objectKey = Buckets.sampleKey(job.tenantId, job.id, i);
            s.sizeBytes = png.png().length;
            s.sha256 = png.sha256();
            store.put(Buckets.PENDING, s.objectKey, png.png(), "image/png"); // same key, same bytes on a retry
            samples.add(s);
        }
        List<Long> announcements = QuarkusTransaction.requiringNew().call(() -> {
            // still ours: running under this worker's lease, or queued again by the sweeper after a missed
            // renewal while it ran here (then its new message finds it stored); not when canceled or taken over
            if (!Job.storeResults(job.id, leases.owner())) {
                return null;
            }
            Job.update("modelVersion = ?1, promptTruncated = ?2, stepsDone = ?3 where id = ?4",
                    run.modelVersion(), run.promptTruncated(), run.totalStepsPerSample(), job.id);
            samples.forEach(s -> s.persist());
            bill(run);
            List<Long> ids = new ArrayList<>();
            for (Sample s : samples) {
                OutboxMessage m = OutboxMessage.of(job.tenantId, Topics.SAMPLES_GENERATED, job.id.toString(),
                        EventCodec.encode(new SampleGenerated(job.id, job.tenantId, s.idx, s.objectKey, s.sha256, job.priority.wire())));
                m.persist();
                ids.add(m.id);
            }
            return ids;
        });
        if (announcements == null) {
            settleCanceled(run, samples);
            return;
        }
        meters.samplesGenerated().increment(job.numSamples);
        publish(job, announcements);
    }

    /** Publishes the job's samples.generated rows now; if Kafka is away, the gateway's relay does later. */
    private void publish(Job job, List<Long> ids) {
        try {
            OutboxPublisher.Result r = QuarkusTransaction.requiringNew().call(() -> outbox.publish(producer, ids));
            if (r.failed() > 0) {
                LOG.infof("job %s: %d samples.generated messages wait in the outbox for the relay", job.id, r.failed());
            }
        } catch (RuntimeException e) {
            LOG.infof("job %s: stored; its samples.generated messages wait in the outbox for the relay (%s)", job.id, e.getMessage());
        }
    }

    /** Canceled while running: bill the steps its samples ran, keep no sample. */
    private void settleCanceled(JobExecution run, List<Sample> stored) {
        boolean canceled = QuarkusTransaction.requiringNew().call(() -> {
            Job current = Job.findById(run.job().id);
            if (current != null && current.status == JobStatus.CANCELED) {
                bill(run);
                return true;
            }
            return false;
        });
        if (!canceled) {
            // another attempt stored this job, or runs it now (same keys, same bytes): its objects must stay
            LOG.infof("job %s: stored or taken over by another attempt; this one is dropped", run.job().id);
            return;
        }
        for (Sample s : stored) {
            store.remove(Buckets.PENDING, s.objectKey);
        }
        int steps = 0;
        for (int i = 0; i < run.job().numSamples; i++) {
            SampleResult r = run.result(Stage.BASE, i);
            steps = Math.max(steps, r == null ? 0 : r.stepsRun());
        }
        LOG.infof("job %s: canceled while running; its samples stopped after at most %d base steps", run.job().id, steps);
    }

    private void bill(JobExecution run) {
        Job job = run.job();
        for (int i = 0; i < job.numSamples; i++) {
            for (Stage stage : run.stages()) {
                SampleResult r = run.result(stage, i);
                if (r != null && r.stepsRun() > 0) {
                    costs.record(job.id, job.tenantId, i, stage, run.model(stage).spec().nameAtVersion(),
                            r.stepsRun(), r.seconds());
                }
            }
        }
    }
}
