package dev.genq.gateway.job;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.model.ModelCatalog;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.quota.CostEstimates;
import dev.genq.gateway.quota.TenantQuotas;
import dev.genq.gateway.upload.UploadService;
import dev.genq.gateway.upload.UploadSettings;
import dev.genq.storage.job.Margins;
import dev.genq.storage.upload.Upload;
import java.math.BigDecimal;
import dev.genq.gateway.webhook.WebhookDeliveries;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.Region;
import dev.genq.storage.job.VariationSteps;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.model.Rollouts;
import dev.genq.storage.tracing.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.genq.gateway.dispatch.QueueStanding;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Submit, read, list and cancel jobs, always within one tenant. */
@ApplicationScoped
public class JobService {
    private final GatewayMeters meters;
    private final ModelCatalog catalog;
    private final IdempotencyKeys keys;
    private final TenantQuotas quotas;
    private final WebhookDeliveries webhooks;
    private final Rollouts rollouts;
    private final QueueStanding standings;
    private final CostEstimates estimates;
    private final JobRequestValidator validator;
    private final UploadService uploads;
    private final UploadSettings uploadLimits;
    private final dev.genq.gateway.cache.ResultCache cache;

    public JobService(GatewayMeters meters, ModelCatalog catalog, IdempotencyKeys keys, TenantQuotas quotas,
                      WebhookDeliveries webhooks, Rollouts rollouts, CostEstimates estimates, JobRequestValidator validator,
                      UploadService uploads, UploadSettings uploadLimits, dev.genq.gateway.cache.ResultCache cache,
                      QueueStanding standings) {
        this.cache = cache;
        this.standings = standings;
        this.meters = meters;
        this.uploads = uploads;
        this.uploadLimits = uploadLimits;
        this.validator = validator;
        this.estimates = estimates;
        this.rollouts = rollouts;
        this.catalog = catalog;
        this.keys = keys;
        this.quotas = quotas;
        this.webhooks = webhooks;
    }

    /** A submitted job, and whether it was an earlier submission replayed for the same Idempotency-Key. */
    public record Submission(Job job, boolean replayed) {
    }

    /**
     * Writes the job, queued, in one transaction: acknowledged means durable (the fair dispatcher writes its outbox
     * message when the job's turn comes). With an
     * idempotency key, the same key and body within 24 hours return the first job instead, also when two
     * requests with that key race (the loser's transaction rolls back and it answers with the winner's job).
     */
    public Submission submit(UUID tenantId, ValidJob request, String idempotencyKey, String requestHash) {
        Submission s = once(tenantId, idempotencyKey, requestHash, () -> submitNew(tenantId, request));
        if (!s.replayed()) {
            meters.jobsSubmitted(s.job().mode).increment();
        }
        return s;
    }

    /**
     * In its own transaction: the earlier job of this idempotency key and body if there is one (before any
     * admission, so a repeated request never counts again), else the job {@code create} writes, with the key
     * claimed for it. If a concurrent request claimed the key first, this one rolls back and replays that one's job.
     */
    private Submission once(UUID tenantId, String idempotencyKey, String requestHash, java.util.function.Supplier<Job> create) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (idempotencyKey != null) {
                    Optional<UUID> earlier = keys.existing(tenantId, idempotencyKey, requestHash);
                    if (earlier.isPresent()) {
                        return new Submission(replayable(earlier.get(), idempotencyKey), true);
                    }
                }
                Job job = create.get();
                if (idempotencyKey != null && !keys.claim(tenantId, idempotencyKey, requestHash, job.id)) {
                    throw new IdempotencyKeys.ClaimedConcurrently(); // rolls this job back; the catch replays the winner
                }
                return new Submission(job, false);
            });
        } catch (IdempotencyKeys.ClaimedConcurrently e) {
            return QuarkusTransaction.requiringNew().call(() -> {
                UUID id = keys.existing(tenantId, idempotencyKey, requestHash)
                        .orElseThrow(() -> new IllegalStateException("idempotency key vanished: " + idempotencyKey));
                return new Submission(replayable(id, idempotencyKey), true);
            });
        }
    }

    /** The job an Idempotency-Key created, unless its client deleted it since (then 409: the key is spent). */
    private static Job replayable(UUID id, String idempotencyKey) {
        Job job = Job.findById(id);
        if (job.deletedAt != null) {
            throw ProblemException.conflict("idempotency_key_job_deleted", "the job Idempotency-Key '" + idempotencyKey
                    + "' created was deleted; send a new key to create another");
        }
        return job;
    }

    private Job submitNew(UUID tenantId, ValidJob request) {
        Prepared p = prepare(tenantId, request);
        if (p.cachedFrom() != null) {
            return answerFromCache(p);
        }
        p.job().reservedUsd = quotas.admit(tenantId, p.estimate(), request.priority(), 1);
        QueuedJobRows.insert(p.job());
        return p.job();
    }

    /**
     * A checked request as a job not yet written, with the steps it will be billed for and its estimated cost; or,
     * when the exact result cache can answer it, the earlier job it repeats ({@code cachedFrom}: no compute, no quota
     * slot, no cost). Nothing is written.
     */
    private record Prepared(Job job, int billedSteps, BigDecimal estimate, UUID cachedFrom) {
    }

    /** Writes a prepared job that the result cache answers as succeeded. */
    private Job answerFromCache(Prepared p) {
        meters.cacheHits().increment();
        return cache.answer(p.job(), p.cachedFrom());
    }

    /**
     * What a request would cost and how long it would wait, without creating, queueing or reserving anything
     * ({@code dry_run}); every check of a submit runs, its quota and budget too (read, nothing reserved), so a
     * refused request is refused here as it would be.
     */
    @Transactional
    public JobEstimate estimate(UUID tenantId, ValidJob request) {
        Prepared p = prepare(tenantId, request);
        int upscaleSteps = request.mode() == JobMode.FULL ? estimates.upscaleSteps(request.model()) : 0;
        if (p.cachedFrom() != null) {
            return new JobEstimate(true, request.model(), request.mode().wire(), request.priority().wire(), request.numSamples(),
                    0, 0, BigDecimal.ZERO, true, true, 0, false, 0.0);
        }
        quotas.admit(tenantId, p.estimate(), request.priority(), 1);
        boolean measured = estimates.measured(request.model(), request.mode());
        QueueStanding.Standing standing = standings.ofNew(request.mode(), request.priority());
        return new JobEstimate(true, request.model(), request.mode().wire(), request.priority().wire(), request.numSamples(),
                p.billedSteps(), upscaleSteps, p.estimate(), measured, false, standing.position(), standing.atLeast(),
                standing.etaSeconds());
    }

    private Prepared prepare(UUID tenantId, ValidJob request) {
        refuseDisabledEndpoint(tenantId, request.webhookUrl());
        ValidJob.InitImage init = request.initImage();
        if (init != null) {
            uploads.lockForJob(tenantId, init.upload(), init.mask());
        }
        Upload initUpload = init == null ? null : uploads.usableInput(tenantId, init.upload(), "init_image");
        Upload maskUpload = init == null || init.mask() == null ? null : uploads.usableInput(tenantId, init.mask(), "mask_image");
        if (init != null && init.outpaint() != null) {
            refuseOversizedCanvas(initUpload, init.outpaint());
        }
        if (maskUpload != null && (maskUpload.width != initUpload.width || maskUpload.height != initUpload.height)) {
            throw new ProblemException(Problem.invalid(java.util.List.of(new Problem.FieldError("mask_image", "mask_size_mismatch",
                    "the mask is " + maskUpload.width + "x" + maskUpload.height + " and the image " + initUpload.width + "x"
                            + initUpload.height + "; they must be the same size"))));
        }
        // image-to-image runs (and is billed for) the strength's share of the steps, like a variation; a masked
        // run makes a few model passes a step (resampling)
        int steps = init == null ? request.steps() : VariationSteps.run(init.strength(), request.steps());
        boolean masked = init != null && (init.mask() != null || init.outpaint() != null);
        Job job = fromRequest(tenantId, request, null);
        if (init == null) { // text-to-image: the exact result cache may answer it (image inputs depend on more than parameters)
            job.cacheKey = cache.key(job).orElse(null);
            Optional<UUID> earlier = job.cacheKey == null || !request.lookUpCache() ? Optional.empty() : cache.earlier(tenantId, job.cacheKey);
            if (earlier.isPresent()) {
                return new Prepared(job, 0, BigDecimal.ZERO, earlier.get());
            }
        }
        if (init != null) {
            job.initUpload = initUpload.id;
            job.maskUpload = maskUpload == null ? null : maskUpload.id;
            job.strength = init.strength();
            job.outpaint = init.outpaint() == null ? null : init.outpaint().wire();
        }
        int billed = masked ? VariationSteps.maskedPasses(steps) : steps;
        return new Prepared(job, billed, priceAt(job, estimates.quote(request.model(), request.mode(), request.numSamples(),
                billed, steps, request.size())), null);
    }

    /** One item of a batch: its checked request, and its idempotency key with the hash of its body (both null without one). */
    public record BatchItem(ValidJob request, String idempotencyKey, String requestHash) {
    }

    /**
     * Creates a batch's jobs in the caller's transaction, all in the bulk lane, admitted at once (one quota decision for
     * all of them: a batch is accepted whole or not at all). An item whose idempotency key (with the same body) made a
     * job in the last 24 hours is that job, not a new one; an item the result cache answers is a succeeded job.
     * @return each item's job id, in item order
     */
    public List<UUID> createBatchJobs(UUID tenantId, List<BatchItem> items) {
        List<UUID> ids = new java.util.ArrayList<>(items.size());
        List<Prepared> queued = new java.util.ArrayList<>();
        java.util.Map<String, UUID> claims = new java.util.LinkedHashMap<>(); // key -> job, claimed once the jobs exist
        java.util.Map<String, String> hashes = new java.util.HashMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (BatchItem item : items) {
            String key = item.idempotencyKey();
            if (key != null) {
                if (claims.containsKey(key)) { // the same key twice in one batch: one job, if the bodies agree
                    if (!hashes.get(key).equals(item.requestHash())) {
                        throw ProblemException.conflict("idempotency_key_reused", "item idempotency key '" + key
                                + "' is used twice in this batch with different bodies");
                    }
                    ids.add(claims.get(key));
                    continue;
                }
                Optional<UUID> earlier = keys.existing(tenantId, key, item.requestHash());
                if (earlier.isPresent()) {
                    ids.add(earlier.get());
                    continue;
                }
            }
            Prepared p = prepare(tenantId, item.request());
            if (p.cachedFrom() == null) {
                queued.add(p);
                total = total.add(p.estimate());
            } else {
                answerFromCache(p);
            }
            ids.add(p.job().id);
            if (key != null) {
                claims.put(key, p.job().id);
                hashes.put(key, item.requestHash());
            }
        }
        if (!queued.isEmpty()) {
            quotas.admit(tenantId, total, dev.genq.storage.job.Priority.BULK, queued.size());
        }
        for (Prepared p : queued) {
            p.job().reservedUsd = p.estimate();
        }
        QueuedJobRows.insertAll(queued.stream().map(Prepared::job).toList());
        for (var claim : claims.entrySet()) {
            if (!keys.claim(tenantId, claim.getKey(), hashes.get(claim.getKey()), claim.getValue())) {
                throw ProblemException.conflict("idempotency_key_in_use", "item idempotency key '" + claim.getKey()
                        + "' was claimed by a concurrent request; send the batch again");
            }
        }
        queued.forEach(p -> meters.jobsSubmitted(p.job().mode).increment());
        return ids;
    }

    /**
     * The worker builds the outpainting canvas at full size: it must fit the upload limits too; and be square, since
     * the model draws square pictures (a wider canvas would lose its sides to the centre crop).
     */
    private void refuseOversizedCanvas(Upload upload, Margins m) {
        long w = (long) upload.width + m.left() + m.right();
        long h = (long) upload.height + m.top() + m.bottom();
        if (w > uploadLimits.maxSide() || h > uploadLimits.maxSide() || w * h > uploadLimits.maxPixels()) {
            throw new ProblemException(Problem.invalid(java.util.List.of(new Problem.FieldError("outpaint", "outpaint_out_of_range",
                    "the canvas would be " + w + "x" + h + "; the upload limits are " + uploadLimits.maxSide()
                            + " pixels a side and " + uploadLimits.maxPixels() + " pixels"))));
        }
        if (w != h) {
            throw new ProblemException(Problem.invalid(java.util.List.of(new Problem.FieldError("outpaint", "outpaint_not_square",
                    "the canvas would be " + w + "x" + h + "; the model draws square pictures, so the upload and its margins "
                            + "must make a square (e.g. add " + Math.abs(w - h) + " px to " + (w < h ? "left/right" : "top/bottom") + ")"))));
        }
    }

    /** A job (or an upscale inheriting its parent's URL) may not name an endpoint that answered 410 Gone. */
    private void refuseDisabledEndpoint(UUID tenantId, String webhookUrl) {
        if (webhookUrl != null && webhooks.disabled(tenantId, webhookUrl)) {
            throw new ProblemException(Problem.invalid(java.util.List.of(new Problem.FieldError("webhook",
                    "webhook_endpoint_disabled", "this endpoint answered 410 Gone and is disabled; "
                    + "enable it again with POST /v1/webhooks/endpoints/enable"))));
        }
    }

    /** A queued job of this request, not yet written. */
    private Job fromRequest(UUID tenantId, ValidJob request, BigDecimal reserved) {
        Job job = queued(tenantId, request.mode());
        job.reservedUsd = reserved;
        job.priority = request.priority();
        job.prompt = request.prompt();
        job.negativePrompt = request.negativePrompt();
        job.numSamples = request.numSamples();
        job.seed = request.seed();
        job.steps = request.steps();
        job.previewEvery = request.previewEvery();
        job.guidanceScale = request.guidanceScale();
        job.sampler = request.sampler();
        job.model = request.model();
        job.webhookUrl = request.webhookUrl();
        job.webhookEvents = request.webhookEvents();
        if (request.size() != null) {
            job.width = request.size().width();
            job.height = request.size().height();
        }
        job.pinnedVersion = rollouts.current().versionFor(job.model, job.id, catalog::serves).orElse(null);
        return job;
    }

    /**
     * Sets the prices the job is billed at, per sample and step of each stage (the estimate's, so what a dry run or the
     * reservation says is what the steps cost, however the machine's load stretched their wall time) and what its lane
     * pays of them. @return the quote's estimate (at the interactive price) at its lane's price
     */
    private BigDecimal priceAt(Job job, CostEstimates.Quote quote) {
        job.baseUsdPerStep = quote.prices().base();
        job.upscaleUsdPerStep = quote.prices().upscale();
        job.priceFactor = quotas.priceFactor(job.priority);
        return quote.estimate().multiply(job.priceFactor).setScale(9, java.math.RoundingMode.UP);
    }

    /** A new queued job of this tenant, in the trace of the request that creates it. */
    private static Job queued(UUID tenantId, JobMode mode) {
        Job job = new Job();
        job.id = UUID.randomUUID();
        job.tenantId = tenantId;
        job.status = JobStatus.QUEUED;
        job.mode = mode;
        job.traceparent = TraceContext.traceparent();
        return job;
    }

    /**
     * Creates a full job whose super-resolution stage starts from one released sample of a preview job;
     * the new job inherits the preview's prompt, model and that sample's seed.
     */
    public Submission upscale(UUID tenantId, String parentId, int sampleIdx, String idempotencyKey, String requestHash) {
        Submission s = once(tenantId, idempotencyKey, requestHash, () -> upscaleNew(tenantId, parentId, sampleIdx));
        if (!s.replayed()) {
            meters.upscalesSubmitted().increment();
        }
        return s;
    }

    private Job upscaleNew(UUID tenantId, String parentId, int sampleIdx) {
        Job parent = get(tenantId, parentId);
        if (catalog.names(Stage.SUPER_RESOLUTION.modelKind()).isEmpty()) {
            throw ProblemException.badRequest("mode_unavailable", "no super-resolution model is being served");
        }
        Sample sample = releasedPreviewSample(parent, sampleIdx, "upscaled");
        ImageSize size = parent.width == null ? null : new ImageSize(parent.width, parent.height);
        if (size != null) {
            catalog.find(parent.model).flatMap(base -> validator.upscaleRefusal(base, size)).ifPresent(refusal -> {
                throw ProblemException.badRequest("size_unavailable", refusal);
            });
        }
        refuseDisabledEndpoint(tenantId, parent.webhookUrl); // the upscale inherits the preview's webhook
        Job job = queued(tenantId, JobMode.FULL);
        job.reservedUsd = quotas.admit(tenantId, priceAt(job, estimates.upscaleQuote(parent.model, size)));
        job.prompt = parent.prompt;
        job.negativePrompt = parent.negativePrompt;
        job.numSamples = 1;
        job.seed = sample.seed;
        job.steps = parent.steps;
        job.guidanceScale = parent.guidanceScale;
        job.sampler = parent.sampler;
        job.model = parent.model;
        job.width = parent.width; // the preview's size; the worker upscales it by its model's factor
        job.height = parent.height;
        inheritFrom(job, parent, sampleIdx);
        QueuedJobRows.insert(job);
        return job;
    }

    /** A released sample of a preview job: what an upscale or a variation starts from. @throws ProblemException 409 */
    private static Sample releasedPreviewSample(Job parent, int sampleIdx, String verb) {
        if (parent.mode != JobMode.PREVIEW) {
            throw ProblemException.conflict("not_a_preview", "job " + parent.id + " is not a preview job; only a preview's samples can be " + verb);
        }
        Sample sample = Sample.<Sample>findById(new SampleId(parent.id, sampleIdx));
        if (sample == null || sample.status != SampleStatus.RELEASED) {
            throw ProblemException.conflict("sample_not_released", "sample " + sampleIdx + " of job " + parent.id
                    + (sample == null ? " does not exist (yet)" : " is " + sample.status.wire()) + "; only released samples can be " + verb);
        }
        return sample;
    }

    /** Lineage, and what a derived job takes from its parent: its webhook and its live previews. */
    private static void inheritFrom(Job job, Job parent, int sampleIdx) {
        job.parentId = parent.id;
        job.parentSample = sampleIdx;
        job.previewEvery = parent.previewEvery;
        job.webhookUrl = parent.webhookUrl;
        job.webhookEvents = parent.webhookEvents;
    }

    /**
     * Creates a preview job that varies one released sample of a preview job (SDEdit at {@code strength}):
     * the parent's model, steps, guidance and sampler, its prompt unless another is given, a new seed unless
     * one is given, and the parent's webhook; lineage recorded. The derived request passes the same validation
     * as a submit (the prompt policy included).
     */
    public Submission vary(UUID tenantId, String parentId, VariationRequest request, double strength,
                           String idempotencyKey, String requestHash) {
        Submission s = once(tenantId, idempotencyKey, requestHash, () -> varyNew(tenantId, parentId, request, strength));
        if (!s.replayed()) {
            meters.jobsSubmitted(s.job().mode).increment();
        }
        return s;
    }

    private Job varyNew(UUID tenantId, String parentId, VariationRequest request, double strength) {
        Job parent = get(tenantId, parentId);
        Sample sample = releasedPreviewSample(parent, request.sample(), "varied");
        catalog.find(parent.model).filter(base -> sample.width != base.resolution || sample.height != base.resolution)
                .ifPresent(base -> {
                    throw ProblemException.badRequest("size_unavailable", "a variation starts from an image at the "
                            + "model's native size " + ImageSize.square(base.resolution) + "; this sample is "
                            + sample.width + "x" + sample.height);
                });
        Region region = request.resolvedRegion(sample.width, sample.height);
        ValidJob valid = validator.validate(new SubmitJobRequest(request.prompt() != null ? request.prompt() : parent.prompt,
                parent.negativePrompt, JobMode.PREVIEW.wire(), request.numSamples() != null ? request.numSamples() : parent.numSamples,
                request.seed(), parent.steps, parent.guidanceScale, parent.sampler, parent.model, null, null, null));
        if (!catalog.takesImageInputs(valid.model())) {
            throw ProblemException.badRequest("model_takes_no_image_input", JobRequestValidator.noImageInput(valid.model()));
        }
        refuseDisabledEndpoint(tenantId, parent.webhookUrl); // a variation inherits the parent's webhook
        int steps = VariationSteps.run(strength, valid.steps());
        int billed = region == null ? steps : VariationSteps.maskedPasses(steps);
        Job job = fromRequest(tenantId, valid, null);
        job.reservedUsd = quotas.admit(tenantId, priceAt(job, estimates.quote(valid.model(), JobMode.PREVIEW,
                valid.numSamples(), billed, steps, null)));
        inheritFrom(job, parent, request.sample());
        job.strength = strength;
        job.region = region == null ? null : region.wire();
        QueuedJobRows.insert(job);
        return job;
    }

    @Transactional
    public Job get(UUID tenantId, String id) {
        UUID jobId = parseId(id);
        return Job.findForTenant(jobId, tenantId).filter(j -> j.deletedAt == null)
                .orElseThrow(() -> ProblemException.notFound("job_not_found", "no job " + id));
    }

    /** Newest first; {@code cursor} is the opaque {@code next_cursor} of the previous page. */
    @Transactional
    public List<Job> list(UUID tenantId, Set<JobStatus> statuses, long beforeSeq, int limit) {
        StringBuilder q = new StringBuilder("tenantId = :tenant and seq < :before and deletedAt is null");
        var params = io.quarkus.panache.common.Parameters.with("tenant", tenantId).and("before", beforeSeq);
        if (!statuses.isEmpty()) {
            q.append(" and status in :statuses");
            params = params.and("statuses", statuses);
        }
        q.append(" order by seq desc");
        return Job.<Job>find(q.toString(), params).page(0, limit).list();
    }

    /**
     * Cancels a queued or running job. Idempotent: canceling a canceled job returns it unchanged.
     * A running job stops at the worker's next denoising step.
     */
    @Transactional
    public Job cancel(UUID tenantId, String id) {
        Job job = get(tenantId, id);
        if (Job.transition(job.id, JobStatus.CANCELABLE, JobStatus.CANCELED)) {
            JobEvents.record(tenantId, job.id, JobEvent.JOB_CANCELED);
            meters.jobsCanceled().increment();
        }
        Job.getEntityManager().refresh(job);
        if (job.status != JobStatus.CANCELED) {
            throw ProblemException.conflict("job_not_cancelable",
                    "job " + id + " is " + job.status.wire() + "; only queued or running jobs can be canceled");
        }
        return job;
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            // an id that cannot exist is simply not found: no hint about id formats
            throw ProblemException.notFound("job_not_found", "no job " + id);
        }
    }
}
