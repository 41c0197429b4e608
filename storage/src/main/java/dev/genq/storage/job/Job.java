package dev.genq.storage.job;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/**
 * A generation job. Status changes go through {@link #transition} (compare-and-set in SQL), never
 * through a read-modify-write of the entity, so a duplicate Kafka delivery can never move a job backwards.
 */
@Entity
@Table(name = "jobs")
public class Job extends PanacheEntityBase {

    @Id
    public UUID id;

    @Generated
    @Column(insertable = false, updatable = false)
    public Long seq;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    public JobStatus status;
    public JobMode mode;
    /** Its lane: interactive or bulk (a batch's items). */
    public Priority priority = Priority.INTERACTIVE;
    public String prompt;

    @Column(name = "negative_prompt")
    public String negativePrompt;

    @Column(name = "num_samples")
    public int numSamples;

    public long seed;
    public int steps;

    /** The base picture's width and height (an upscale's output is the super-resolution factor times them); null: the model's native square. */
    public Integer width;
    public Integer height;

    /** Every how many steps a live preview of each sample is sent (0: none); see V16. */
    @Column(name = "preview_every")
    public int previewEvery;

    /** The budget reservation made at admission (null: the tenant had no budget, or the job predates V15). */
    @Column(name = "reserved_usd")
    public java.math.BigDecimal reservedUsd;

    /**
     * The quoted price per sample and step of the base and the upscale stage, at the interactive price (see V34): what
     * the worker bills; null where the stage had no measured rate at submit (billed as measured).
     */
    @Column(name = "base_usd_per_step")
    public java.math.BigDecimal baseUsdPerStep;

    @Column(name = "upscale_usd_per_step")
    public java.math.BigDecimal upscaleUsdPerStep;

    /** What the job pays of those prices, or of its compute's: 1 interactive, the bulk price factor for bulk (V35). */
    @Column(name = "price_factor")
    public java.math.BigDecimal priceFactor;

    @Column(name = "guidance_scale")
    public double guidanceScale;

    public String sampler;
    public String model;

    @Column(name = "model_version")
    public String modelVersion;

    @Column(name = "prompt_truncated")
    public boolean promptTruncated;

    /** Lineage of an upscale job: the preview job and the index of the sample it sharpens. */
    @Column(name = "parent_id")
    public UUID parentId;

    @Column(name = "parent_sample")
    public Integer parentSample;

    /** A variation's strength in [0, 1] (V17): how much of the parent sample is denoised again; null otherwise. */
    public Double strength;

    /** A variation's region, "x,y,width,height" in the parent sample's pixels (V18); null: the whole sample. */
    public String region;

    /** Image-to-image (V19): the upload the job starts from at {@link #strength}; null otherwise. */
    @Column(name = "init_upload")
    public UUID initUpload;

    /** Inpainting (V19): the mask upload, white where the init image is redrawn; null: all of it. */
    @Column(name = "mask_upload")
    public UUID maskUpload;

    /** Outpainting (V20): {@link Margins} around the init upload, "left,top,right,bottom"; null otherwise. */
    public String outpaint;

    /** Where this job's events are sent, if anywhere, and which ones (comma-separated; null = all). */
    @Column(name = "webhook_url")
    public String webhookUrl;

    @Column(name = "webhook_events")
    public String webhookEvents;

    /** The base-model version the rollout pinned this job to at submit; null = the worker's default. */
    @Column(name = "pinned_version")
    public String pinnedVersion;

    /** W3C traceparent of the request that created the job: every later message about it continues that trace. */
    public String traceparent;

    /** The worker whose lease on this running job is live until {@link #leaseUntil}. */
    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_until")
    public OffsetDateTime leaseUntil;

    public int attempts;

    @Column(name = "steps_done")
    public int stepsDone;

    public double progress;

    @Column(name = "error_code")
    public String errorCode;

    /** Mean pairwise distance of the samples' judge features, once moderation has settled them (null before). */
    public Double diversity;

    @Column(name = "error_message")
    public String errorMessage;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    /** When the job last entered the queue: at submit, and again whenever the sweeper re-queues it. */
    @Column(name = "queued_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime queuedAt;

    /** What decides its pixels, hashed (text-to-image jobs only): the exact result cache's key. */
    @Column(name = "cache_key")
    public String cacheKey;

    /** The earlier job of the tenant whose released samples answered this one (exact result cache); null if computed. */
    @Column(name = "cached_from")
    public UUID cachedFrom;

    /** When the dispatcher published it to Kafka; null while it waits its turn in Postgres. */
    @Column(name = "dispatched_at", insertable = false, updatable = false)
    public OffsetDateTime dispatchedAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** When its client deleted it (images removed, prompt redacted); null while it exists. */
    @Column(name = "deleted_at")
    public OffsetDateTime deletedAt;

    @Column(name = "updated_at", insertable = false)
    @Generated
    public OffsetDateTime updatedAt;

    /** The base picture's size: the one asked for, else {@code nativeSide} square. */
    public ImageSize size(int nativeSide) {
        return width == null || height == null ? ImageSize.square(nativeSide) : new ImageSize(width, height);
    }

    public static Optional<Job> findForTenant(UUID id, UUID tenantId) {
        return find("id = ?1 and tenantId = ?2", id, tenantId).firstResultOptional();
    }

    /**
     * Moves a job from one of {@code from} to {@code to}; the caller must be in a transaction.
     * Terminal states also stamp {@code finished_at}, {@code running} stamps {@code started_at}.
     *
     * @return true if this call made the change, false if the job was not in one of {@code from}
     */
    public static boolean transition(UUID id, Collection<JobStatus> from, JobStatus to) {
        String stamp = to == JobStatus.RUNNING ? ", startedAt = coalesce(startedAt, current_timestamp)"
                : to.isTerminal() ? ", finishedAt = current_timestamp" : "";
        String progress = to == JobStatus.SUCCEEDED || to == JobStatus.MODERATING ? ", progress = 1.0" : "";
        return update("status = ?1, updatedAt = current_timestamp" + stamp + progress
                + " where id = ?2 and status in ?3", to, id, from) == 1;
    }

    /**
     * Takes a job for a worker: a queued job, a running one whose lease has run out (its worker is gone), or
     * one this worker holds already (it retries the job; that spends no attempt). The caller must be in a
     * transaction. @return true if this worker now holds the lease
     */
    public static boolean acquire(UUID id, String worker, java.time.Duration lease) {
        return getEntityManager().createNativeQuery("""
                update jobs set status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
                                attempts = attempts + case when status = 'running' and lease_owner = ?1 then 0 else 1 end,
                                lease_owner = ?1, lease_until = now() + make_interval(secs => ?2)
                where id = ?3 and (status = 'queued' or (status = 'running'
                                   and (lease_owner = ?1 or lease_until is null or lease_until < now())))""")
                .setParameter(1, worker).setParameter(2, lease.toMillis() / 1000.0).setParameter(3, id).executeUpdate() == 1;
    }

    /** Marks a job failed (from any non-terminal state) with a stable error code and a human message. */
    /**
     * Moves a job whose results this worker holds to moderating: while it runs under {@code owner}'s lease,
     * or once queued again by the sweeper after a renewal that came too late (the job never left this
     * worker: its new message will find it stored). Not when canceled, failed or taken by another worker.
     * The caller must be in a transaction. @return whether this call stored it
     */
    public static boolean storeResults(UUID id, String owner) {
        return getEntityManager().createNativeQuery("""
                update jobs set status = 'moderating', progress = 1.0, updated_at = now()
                where id = ?1 and ((status = 'running' and lease_owner = ?2) or status = 'queued')""")
                .setParameter(1, id).setParameter(2, owner).executeUpdate() == 1;
    }

    /**
     * Fails a job the platform could not run (worker errors, lost workers, deadlines): only while it is
     * queued or running. Once moderating its samples are stored and billed, and only moderation settles it.
     */
    public static boolean failUnstored(UUID id, String code, String message) {
        return update("status = ?1, errorCode = ?2, errorMessage = ?3, finishedAt = current_timestamp,"
                        + " updatedAt = current_timestamp where id = ?4 and status in ?5",
                JobStatus.FAILED, code, message, id, java.util.EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING)) == 1;
    }

    public static boolean fail(UUID id, String code, String message) {
        return update("status = ?1, errorCode = ?2, errorMessage = ?3, finishedAt = current_timestamp,"
                        + " updatedAt = current_timestamp where id = ?4 and status in ?5",
                JobStatus.FAILED, code, message, id,
                java.util.EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.MODERATING)) == 1;
    }
}
