package dev.genq.gateway.job;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleCost;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns job rows into {@link JobView}s: samples, costs and, for released samples only, presigned URLs.
 * Loads samples and costs for a whole page in two queries.
 */
@ApplicationScoped
public class JobViews {
    private static final com.fasterxml.jackson.databind.ObjectMapper QUALITY_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final ObjectStore store;
    private final dev.genq.gateway.dispatch.QueueStanding standing;

    public JobViews(ObjectStore store, dev.genq.gateway.dispatch.QueueStanding standing) {
        this.store = store;
        this.standing = standing;
    }

    /** The API path that redirects to a fresh download URL of a released sample. */
    public static String imageLink(UUID jobId, int sample) {
        return "/v1/jobs/" + jobId + "/samples/" + sample + "/image";
    }

    /** A fresh presigned URL for a released sample of this job; 404 for another state or no such sample. */
    public ObjectStore.PresignedUrl imageUrl(Job job, int sample) {
        Sample s = Sample.findById(new dev.genq.storage.job.SampleId(job.id, sample));
        if (s == null || s.status != SampleStatus.RELEASED) { // held, rejected or pending bytes have no URL, ever
            throw dev.genq.api.problem.ProblemException.notFound("sample_not_available", "sample " + sample + " of job "
                    + job.id + (s == null ? " does not exist" : " is " + s.status.wire()) + "; only released samples can be downloaded");
        }
        return store.presignGet(Buckets.OUTPUTS, s.objectKey);
    }

    public JobView of(Job job) {
        return of(List.of(job)).get(0);
    }

    /**
     * One job with its queue position and ETA while it is queued: what {@code GET /v1/jobs/{id}} shows. Lists and the
     * answer to a submit leave them out (counting what is ahead of a job costs more the longer the queue; a submit
     * stays as cheap with 100,000 jobs waiting as with none).
     */
    public JobView withStanding(Job job) {
        JobView view = of(job);
        return standing.of(job).map(s -> new JobView(view.id(), view.status(), view.mode(), view.parentId(), view.parentSample(),
                view.progress(), view.params(), view.modelVersion(), view.promptTruncated(), view.timings(), view.cost(),
                view.diversity(), view.samples(), view.error(), view.priority(), new JobView.Queue(s.position(), s.etaSeconds(), s.atLeast() ? true : null)))
                .orElse(view);
    }

    public List<JobView> of(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        // a queued job has no samples and no cost rows yet (both are written when it is stored or
        // canceled, and a requeued job never stored any): no queries for the answer to every submit
        List<UUID> ids = jobs.stream().filter(j -> j.status != JobStatus.QUEUED).map(j -> j.id).toList();
        if (ids.isEmpty()) {
            return jobs.stream().map(j -> view(j, List.of(), List.of())).toList();
        }
        Map<UUID, List<Sample>> samples = Sample.<Sample>list("jobId in ?1 order by idx", ids).stream()
                .collect(Collectors.groupingBy(s -> s.jobId));
        Map<UUID, List<SampleCost>> costs = SampleCost.<SampleCost>list("jobId in ?1", ids).stream()
                .collect(Collectors.groupingBy(c -> c.jobId));
        return jobs.stream()
                .map(j -> view(j, samples.getOrDefault(j.id, List.of()), costs.getOrDefault(j.id, List.of())))
                .toList();
    }

    private JobView view(Job job, List<Sample> samples, List<SampleCost> costs) {
        Map<Integer, List<SampleCost>> costBySample = costs.stream().collect(Collectors.groupingBy(c -> c.sampleIdx));
        List<JobView.SampleView> sampleViews = samples.stream().map(s -> {
            String url = null;
            java.time.Instant expires = null;
            String link = null;
            if (s.status == SampleStatus.RELEASED) { // the only state that ever gets a URL
                ObjectStore.PresignedUrl presigned = store.presignGet(Buckets.OUTPUTS, s.objectKey);
                url = presigned.url();
                expires = presigned.expiresAt();
                link = imageLink(job.id, s.idx);
            }
            return new JobView.SampleView(s.idx, s.status.wire(), s.seed, s.width, s.height, url, expires, link,
                    total(costBySample.getOrDefault(s.idx, List.of())), quality(s.quality), job.cachedFrom == null ? null : true);
        }).toList();
        JobView.Error error = job.errorCode == null ? null : new JobView.Error(job.errorCode, job.errorMessage);
        return new JobView(job.id, job.status.wire(), job.mode.wire(), job.parentId, job.parentSample, job.progress,
                new JobView.Params(job.prompt, job.negativePrompt, job.numSamples, job.seed, job.steps,
                        job.guidanceScale, job.sampler, job.model, job.webhookUrl,
                        job.webhookEvents == null ? null : List.of(job.webhookEvents.split(",")),
                        job.previewEvery == 0 ? null : job.previewEvery, job.strength,
                        job.region == null ? null : dev.genq.storage.job.Region.parse(job.region), job.initUpload, job.maskUpload,
                        job.outpaint == null ? null : dev.genq.storage.job.Margins.parse(job.outpaint), job.width, job.height),
                job.modelVersion, job.promptTruncated,
                new JobView.Timings(job.createdAt, job.startedAt, job.finishedAt),
                total(costs), job.diversity, sampleViews, error, job.priority.wire(), null);
    }

    private static JobView.Quality quality(String json) {
        if (json == null) {
            return null;
        }
        try {
            return QUALITY_JSON.readValue(json, JobView.Quality.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable quality verdict: " + e.getMessage(), e);
        }
    }

    private static JobView.Cost total(List<SampleCost> costs) {
        double seconds = 0;
        BigDecimal usd = BigDecimal.ZERO;
        for (SampleCost c : costs) {
            if (!c.billable) {
                continue; // not a picture (failed_quality): recorded, not charged
            }
            seconds += c.computeSeconds;
            usd = usd.add(c.costUsd);
        }
        return new JobView.Cost(seconds, usd.stripTrailingZeros());
    }
}
