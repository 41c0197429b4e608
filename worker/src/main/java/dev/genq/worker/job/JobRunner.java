package dev.genq.worker.job;

import dev.genq.storage.job.Stage;
import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.stage.LowResInput;
import dev.genq.storage.job.ImageSize;
import dev.genq.storage.job.Region;
import dev.genq.worker.stage.SourceImageInput;
import dev.genq.worker.stage.UploadedImageInput;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.job.Margins;
import dev.genq.storage.upload.UploadStatus;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.worker.batch.JobExecution;
import dev.genq.worker.batch.MicroBatcher;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.ModelSpec;
import dev.genq.worker.model.ModelRegistry;
import dev.genq.worker.model.PackagePoller;
import dev.genq.worker.metrics.WorkerMeters;
import io.opentelemetry.context.Context;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Decides what a job message means and starts the work. The job row decides, never the message: a
 * message for a canceled or finished job does nothing, one for a job whose results are already stored
 * only re-announces them, so redelivery produces no second sample, object or cost row.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final ModelRegistry models;
    private final MicroBatcher batcher;
    private final JobFinisher finisher;
    private final WorkerMeters meters;
    private final ObjectStore store;
    private final JobLeases leases;
    private final Duration queueDeadline;
    private final PackagePoller packages;
    private final Duration modelLoadWait;
    private final Duration bulkQueueDeadline;
    /** A message that needs no run (skipped, or the job failed here and then): its offset may be committed. */
    private static final CompletableFuture<Void> NOTHING_TO_DO = CompletableFuture.completedFuture(null);
    /** The statuses in which a job message may start work here (a redelivery of a running job's is taken over). */
    private static final EnumSet<JobStatus> RUNNABLE = EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING);
    private final int inpaintResamples;

    /** Jobs whose execution is in this worker's batcher now. */
    private final java.util.Set<java.util.UUID> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public JobRunner(ModelRegistry models, PackagePoller packages, MicroBatcher batcher, JobFinisher finisher, WorkerMeters meters,
                     ObjectStore store, JobLeases leases, dev.genq.worker.WorkerSettings settings,
                     @org.eclipse.microprofile.config.inject.ConfigProperty(name = JobStatus.QUEUE_DEADLINE,
                             defaultValue = JobStatus.QUEUE_DEADLINE_DEFAULT)
                     Duration queueDeadline,
                     @org.eclipse.microprofile.config.inject.ConfigProperty(name = JobStatus.BULK_QUEUE_DEADLINE,
                             defaultValue = JobStatus.BULK_QUEUE_DEADLINE_DEFAULT)
                     Duration bulkQueueDeadline) {
        this.bulkQueueDeadline = bulkQueueDeadline;
        this.packages = packages;
        this.modelLoadWait = settings.modelLoadWait();
        this.store = store;
        this.leases = leases;
        this.inpaintResamples = settings.inpaintResamples();
        this.queueDeadline = queueDeadline;
        this.models = models;
        this.batcher = batcher;
        this.finisher = finisher;
        this.meters = meters;
    }

    /** @return completes when the job's result is durable (or there was nothing to do) */
    public CompletableFuture<Void> run(JobRequested message) {
        return run(message, true);
    }

    /** @param mayAwaitModels whether a job whose models are not loaded here may wait for this worker's package loads */
    private CompletableFuture<Void> run(JobRequested message, boolean mayAwaitModels) {
        Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(message.jobId()));
        if (job == null) {
            LOG.warnf("job %s: no such job, message skipped", message.jobId());
            return NOTHING_TO_DO;
        }
        if (mayAwaitModels && RUNNABLE.contains(job.status) && !running.contains(job.id) && !servedHere(job)) {
            // this worker just started and loads the registered packages in the background, or the version was
            // registered a moment ago and this worker has not polled since: wait for that (bounded), then decide again;
            // a version it does not get by then fails model_unavailable below. No lease is held meanwhile.
            LOG.infof("job %s: its model is not loaded here yet; waiting up to %s for this worker's package loads", job.id, modelLoadWait);
            Context trace = Context.current();
            return packages.caughtUp().completeOnTimeout(null, modelLoadWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .thenComposeAsync(loaded -> {
                        try (var ignored = trace.makeCurrent()) {
                            return run(message, false);
                        }
                    });
        }
        switch (job.status) {
            case QUEUED, RUNNING -> {
                if (running.contains(job.id)) {
                    if (job.status == JobStatus.QUEUED) {
                        // queued again by the sweeper (a renewal came too late) while it still runs here: take
                        // the lease back so no other worker starts it a second time
                        leases.acquire(job.id);
                    }
                    return NOTHING_TO_DO; // a redelivery of a job running here
                }
                Duration deadline = job.priority == dev.genq.storage.job.Priority.BULK ? bulkQueueDeadline : queueDeadline;
                if (job.status == JobStatus.QUEUED && job.queuedAt.plus(deadline).isBefore(OffsetDateTime.now())) {
                    fail(job, "deadline_exceeded", "the job waited longer than " + deadline + " to start; it was not billed");
                    return NOTHING_TO_DO;
                }
                if (!leases.acquire(job.id)) {
                    if (job.status == JobStatus.RUNNING) {
                        return NOTHING_TO_DO; // another worker holds a live lease
                    }
                    return run(message); // changed under us (canceled, most likely): decide again
                }
                if (job.startedAt == null) {
                    QuarkusTransaction.requiringNew().run(() -> JobEvents.record(job.tenantId, job.id, JobEvent.JOB_STARTED));
                    meters.queueWait().record(Duration.between(job.createdAt, OffsetDateTime.now()));
                } else {
                    LOG.infof("job %s: taken over after an interrupted attempt", job.id);
                }
            }
            default -> {
                return NOTHING_TO_DO; // canceled, failed or settled
            }
        }
        if (!servedHere(job)) {
            String which = baseModel(job) == null ? job.model + (job.pinnedVersion == null ? "" : "@" + job.pinnedVersion
                    + " (the version the rollout pinned at submit)") : "super-resolution";
            fail(job, "model_unavailable", "model " + which + " is not served by this worker");
            return NOTHING_TO_DO;
        }
        LoadedModel base = baseModel(job);
        LoadedModel sr = models.superResolution().orElse(null);
        boolean fromImage = job.initUpload != null || job.parentId != null && job.strength != null;
        if (fromImage && !base.takesImageInputs()) { // the gateway refuses these; a version it did not check (a race)
            fail(job, "model_takes_no_image_input", base.spec().nameAtVersion() + " draws latents and has no VAE encoder, "
                    + "so a job cannot start it from an image");
            return NOTHING_TO_DO;
        }
        String sizeRefusal = sizeRefusal(job, base, sr);
        if (sizeRefusal != null) { // the gateway checks the catalog; a version it did not check (a race) lands here
            fail(job, "size_unavailable", sizeRefusal);
            return NOTHING_TO_DO;
        }
        JobExecution execution;
        if (job.parentId != null && job.strength != null) {
            byte[] png = parentPng(job);
            if (png == null) {
                fail(job, "parent_unavailable", "sample " + job.parentSample + " of job " + job.parentId + " is no longer released");
                return NOTHING_TO_DO;
            }
            execution = JobExecution.variation(job, base, SourceImageInput.decodePng(png, base.spec(),
                    job.region == null ? null : Region.parse(job.region)), inpaintResamples);
        } else if (job.initUpload != null) {
            SourceImageInput source = uploadedSource(job, base);
            if (source == null) {
                fail(job, "input_unavailable", "an upload this job names may not be used (flagged, expired or deleted)");
                return NOTHING_TO_DO;
            }
            execution = JobExecution.imageToImage(job, base, sr, source, inpaintResamples);
        } else if (job.parentId != null) {
            float[] preview = parentSample(job, base);
            if (preview == null) {
                fail(job, "parent_unavailable", "sample " + job.parentSample + " of job " + job.parentId + " is no longer released");
                return NOTHING_TO_DO;
            }
            execution = new JobExecution(job, base, sr, preview);
        } else {
            execution = new JobExecution(job, base, sr);
        }
        execution.traced(Context.current()); // the consumer's span: the finisher stores and announces within it
        running.add(job.id);
        execution.done().whenComplete((ignored, error) -> {
            running.remove(job.id);
            if (error == null) {
                leases.release(job.id);
            } // else the consumer retries it or fails it (which releases): renewed meanwhile, not swept
        });
        batcher.submit(execution);
        return execution.done();
    }

    /** The job's base model as loaded here, or null; never trust the job's model to be a base model: a wrong kind would fail a whole shared batch. */
    private LoadedModel baseModel(Job job) {
        return models.get(job.model, job.pinnedVersion).filter(m -> m.spec().kind() == Stage.BASE).orElse(null);
    }

    /** Whether every model the job needs is loaded here. */
    private boolean servedHere(Job job) {
        return baseModel(job) != null && (job.mode != JobMode.FULL || models.superResolution().isPresent());
    }

    /** The released preview sample an upscale job sharpens, read back from the outputs bucket. */
    private float[] parentSample(Job job, LoadedModel base) {
        byte[] png = parentPng(job);
        return png == null ? null : LowResInput.decodePng(png, job.size(base.spec().resolution()));
    }

    /** Why the models cannot make the job's size (its base picture, and a full job's upscale of it); null if they can. */
    private static String sizeRefusal(Job job, LoadedModel base, LoadedModel sr) {
        ImageSize size = job.size(base.spec().resolution());
        boolean upscaled = job.mode == JobMode.FULL;
        boolean fromBase = !(job.parentId != null && job.strength == null); // an upscale job runs no base stage
        if (fromBase && !base.spec().draws(size)) {
            return base.spec().nameAtVersion() + " does not draw " + size + "; its sizes are " + base.spec().sizes();
        }
        if ((job.initUpload != null || job.strength != null) && !size.equals(base.spec().nativeSize())) {
            return "a job that starts from an image runs at the model's native size " + base.spec().nativeSize();
        }
        if (upscaled && !sr.spec().draws(size.times(sr.spec().upscaleFactor()))) {
            return sr.spec().nameAtVersion() + " does not upscale " + size + " (its output sizes are " + sr.spec().sizes() + ")";
        }
        return null;
    }

    /** An image-to-image job's upload (and mask) at the model's resolution; null if one may no longer be used. */
    private SourceImageInput uploadedSource(Job job, LoadedModel base) {
        byte[] image = acceptedUpload(job, job.initUpload);
        byte[] mask = job.maskUpload == null ? null : acceptedUpload(job, job.maskUpload);
        if (image == null || (job.maskUpload != null && mask == null)) {
            return null;
        }
        if (job.outpaint != null) {
            return UploadedImageInput.outpaint(image, Margins.parse(job.outpaint), base.spec());
        }
        return UploadedImageInput.prepare(image, mask, base.spec());
    }

    /** The stored PNG of an upload of the job's tenant that moderation accepted and that has not expired; else null. */
    private byte[] acceptedUpload(Job job, java.util.UUID id) {
        Upload upload = QuarkusTransaction.requiringNew().call(() -> Upload.findLive(id, job.tenantId).orElse(null));
        if (upload == null || upload.status != UploadStatus.ACCEPTED) {
            return null; // a flagged upload never reaches the engine, whatever the job row says
        }
        return store.find(Buckets.UPLOADS, upload.objectKey).orElse(null); // empty: expired and deleted since it was read
    }

    /** The PNG of a job's parent sample as released (what its client downloaded); null if it no longer is. */
    private byte[] parentPng(Job job) {
        Sample sample = QuarkusTransaction.requiringNew().call(() ->
                Sample.<Sample>findById(new SampleId(job.parentId, job.parentSample)));
        if (sample == null || sample.status != SampleStatus.RELEASED) {
            return null;
        }
        return store.find(Buckets.OUTPUTS, sample.objectKey).orElse(null); // gone: its job was deleted
    }

    /** Fails a job for a reason that is not the client's; such jobs are not billed. */
    public void fail(Job job, String code, String message) {
        leases.release(job.id);
        boolean changed = QuarkusTransaction.requiringNew().call(() -> {
            boolean failed = Job.failUnstored(job.id, code, message); // never a job already stored
            if (failed) {
                JobEvents.record(job.tenantId, job.id, JobEvent.JOB_FAILED);
            }
            return failed;
        });
        if (changed) {
            meters.jobsFailed(code).increment();
            LOG.warnf("job %s failed: %s: %s", job.id, code, message);
        }
    }
}
