package dev.genq.worker.job;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleCost;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.DiffusionEngine.StageResult;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.StageCanceledException;
import dev.genq.worker.engine.StepListener;
import dev.genq.worker.engine.Tokenizer;
import dev.genq.worker.job.CostMeter.StageUsage;
import dev.genq.worker.model.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Runs one job end to end. The job row decides what happens, never the message: a message for a
 * canceled or finished job does nothing, one for a job whose results are already stored only re-announces
 * them, so redelivery produces no second sample, object or cost row.
 *
 * <p>Order of durability: PNGs into the pending bucket, then samples + costs + status in one transaction,
 * then the samples.generated events; only after all three does the consumer commit the Kafka offset.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final ModelRegistry models;
    private final DiffusionEngine engine;
    private final ObjectStore store;
    private final CostMeter costs;
    private final MeterRegistry metrics;

    public JobRunner(ModelRegistry models, ObjectStore store, CostMeter costs, MeterRegistry metrics,
                     dev.genq.worker.WorkerSettings settings) {
        this.engine = new DiffusionEngine(settings.forwardRows());
        this.models = models;
        this.store = store;
        this.costs = costs;
        this.metrics = metrics;
    }

    /** What became of a message. */
    public enum Outcome { COMPLETED, REANNOUNCED, SKIPPED, CANCELED, FAILED }

    public Outcome run(JobRequested message, KafkaProducer<String, String> producer) {
        Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(message.jobId()));
        if (job == null) {
            LOG.warnf("job %s: no such job, message skipped", message.jobId());
            return Outcome.SKIPPED;
        }
        switch (job.status) {
            case MODERATING -> {
                announce(job, producer); // the previous attempt stored everything but may not have announced it
                return Outcome.REANNOUNCED;
            }
            case QUEUED -> {
                if (!QuarkusTransaction.requiringNew().call(() ->
                        Job.transition(job.id, EnumSet.of(JobStatus.QUEUED), JobStatus.RUNNING))) {
                    return run(message, producer); // changed under us (canceled, most likely): decide again
                }
                metrics.timer("genq.queue.wait").record(Duration.between(job.createdAt, OffsetDateTime.now()));
            }
            case RUNNING -> LOG.infof("job %s: resuming after an interrupted attempt", job.id);
            default -> {
                return Outcome.SKIPPED; // canceled, failed or already settled
            }
        }
        return generate(job, producer);
    }

    private Outcome generate(Job job, KafkaProducer<String, String> producer) {
        LoadedModel base = models.get(job.model).orElse(null);
        LoadedModel sr = job.mode == JobMode.FULL ? models.superResolution().orElse(null) : null;
        if (base == null || (job.mode == JobMode.FULL && sr == null)) {
            String missing = base == null ? job.model : "super-resolution";
            fail(job, "model_unavailable", "model " + missing + " is not served by this platform");
            return Outcome.FAILED;
        }
        int srSteps = sr == null ? 0 : sr.spec().defaultSteps();
        int totalSteps = job.steps + srSteps;
        List<StageUsage> stagesRun = new ArrayList<>();
        int n = job.numSamples;
        try {
            Tokenizer tokenizer = base.tokenizer();
            Tokenizer.Tokens prompt = tokenizer.encode(job.prompt);
            Tokenizer.Tokens negative = tokenizer.encode(job.negativePrompt);
            List<DiffusionEngine.TextSample> textSamples = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                textSamples.add(new DiffusionEngine.TextSample(job.seed + i, prompt.ids(), negative.ids()));
            }
            DiffusionEngine.Sampling sampling = new DiffusionEngine.Sampling(job.sampler, job.steps, 0);
            StageResult result = timed(SampleCost.STAGE_BASE, () -> engine.textToImage(base, textSamples, sampling,
                    job.guidanceScale, progress(job.id, 0, totalSteps)), stagesRun, base, job.steps, n);
            String modelVersion = base.spec().nameAtVersion();
            if (sr != null) {
                List<DiffusionEngine.UpscaleSample> up = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    up.add(new DiffusionEngine.UpscaleSample(job.seed + i, result.images().get(i)));
                }
                DiffusionEngine.Sampling srSampling = new DiffusionEngine.Sampling(sr.spec().defaultSampler(), srSteps, 0);
                result = timed(SampleCost.STAGE_SUPER_RESOLUTION, () -> engine.upscale(sr, up, srSampling,
                        progress(job.id, job.steps, totalSteps)), stagesRun, sr, srSteps, n);
                modelVersion += "+" + sr.spec().nameAtVersion();
            }
            List<Sample> samples = store(job, result);
            String version = modelVersion;
            boolean stored = QuarkusTransaction.requiringNew().call(() -> {
                if (!Job.transition(job.id, EnumSet.of(JobStatus.RUNNING), JobStatus.MODERATING)) {
                    return false; // canceled after the last step: nothing is published
                }
                Job.update("modelVersion = ?1, promptTruncated = ?2, stepsDone = ?3 where id = ?4",
                        version, prompt.truncated(), totalSteps, job.id);
                samples.forEach(s -> s.persist());
                bill(job, stagesRun);
                return true;
            });
            if (!stored) {
                return settleCanceled(job, stagesRun, samples);
            }
            metrics.counter("genq.samples.generated").increment(n);
            announce(job, producer);
            return Outcome.COMPLETED;
        } catch (StageCanceledException e) {
            return settleCanceled(job, stagesRun, List.of());
        }
    }

    /** A stage's wall time is recorded even when it is canceled half-way: canceled jobs pay for steps run. */
    private StageResult timed(String stage, java.util.function.Supplier<StageResult> run, List<StageUsage> usage,
                              LoadedModel model, int steps, int samples) {
        try {
            StageResult r = run.get();
            usage.add(new StageUsage(stage, model.spec().nameAtVersion(), steps, r.seconds(), samples));
            metrics.timer("genq.inference", "stage", stage).record((long) (r.seconds() * 1e9), TimeUnit.NANOSECONDS);
            return r;
        } catch (StageCanceledException e) {
            usage.add(new StageUsage(stage, model.spec().nameAtVersion(), e.stepsRun(), e.seconds(), samples));
            throw e;
        }
    }

    /**
     * Between steps: record progress with a compare-and-set on status 'running'. If the job is no longer
     * running (canceled) the update matches nothing and the stage stops before its next step.
     */
    private StepListener progress(UUID jobId, int stepsBefore, int totalSteps) {
        return (done, total) -> QuarkusTransaction.requiringNew().call(() ->
                Job.update("stepsDone = ?1, progress = ?2, updatedAt = current_timestamp where id = ?3 and status = ?4",
                        stepsBefore + done, (double) (stepsBefore + done) / totalSteps, jobId, JobStatus.RUNNING) == 1);
    }

    private List<Sample> store(Job job, StageResult result) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            byte[] png = Images.png(result.images().get(i), result.resolution());
            Sample s = new Sample();
            s.jobId = job.id;
            s.idx = i;
            s.tenantId = job.tenantId;
            s.status = SampleStatus.PENDING;
            s.seed = job.seed + i;
            s.width = result.resolution();
            s.height = result.resolution();
            s.objectKey = Buckets.sampleKey(job.tenantId, job.id, i);
            s.sizeBytes = png.length;
            s.sha256 = sha256(png);
            store.put(Buckets.PENDING, s.objectKey, png, "image/png"); // same key, same bytes on a retry
            samples.add(s);
        }
        return samples;
    }

    private void bill(Job job, List<StageUsage> stagesRun) {
        for (int i = 0; i < job.numSamples; i++) {
            for (StageUsage usage : stagesRun) {
                costs.record(job.id, job.tenantId, i, usage);
            }
        }
    }

    /** The job was canceled while running: bill the steps it ran, keep no samples. */
    private Outcome settleCanceled(Job job, List<StageUsage> stagesRun, List<Sample> stored) {
        QuarkusTransaction.requiringNew().run(() -> {
            Job current = Job.findById(job.id);
            if (current != null && current.status == JobStatus.CANCELED) {
                bill(job, stagesRun);
            }
        });
        for (Sample s : stored) {
            store.remove(Buckets.PENDING, s.objectKey);
        }
        LOG.infof("job %s: canceled while running; stopped after %s", job.id,
                stagesRun.isEmpty() ? "0 steps" : stagesRun.get(stagesRun.size() - 1).steps() + " steps of " + stagesRun.get(stagesRun.size() - 1).stage());
        return Outcome.CANCELED;
    }

    /** Publishes samples.generated for every sample still pending; moderation treats repeats as no-ops. */
    private void announce(Job job, KafkaProducer<String, String> producer) {
        List<Sample> pending = QuarkusTransaction.requiringNew().call(() ->
                Sample.<Sample>list("jobId = ?1 and status = ?2 order by idx", job.id, SampleStatus.PENDING));
        try {
            for (Sample s : pending) {
                producer.send(new ProducerRecord<>(Topics.SAMPLES_GENERATED, job.id.toString(),
                        EventCodec.encode(new SampleGenerated(job.id, job.tenantId, s.idx, s.objectKey, s.sha256))))
                        .get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish samples.generated for job " + job.id + ": " + e.getMessage(), e);
        }
    }

    /** Fails a job for a reason that is not the client's; such jobs are not billed. */
    public void fail(Job job, String code, String message) {
        boolean changed = QuarkusTransaction.requiringNew().call(() -> Job.fail(job.id, code, message));
        if (changed) {
            metrics.counter("genq.jobs.failed", "code", code).increment();
            LOG.warnf("job %s failed: %s: %s", job.id, code, message);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
