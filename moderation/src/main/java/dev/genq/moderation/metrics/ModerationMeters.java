package dev.genq.moderation.metrics;

import dev.genq.api.policy.PolicySettings;
import dev.genq.moderation.release.JobSettler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.function.Supplier;

/**
 * Every meter moderation writes, by name, in one place (the names are those in
 * deploy/observability/metrics-used.txt); call sites ask for a meter here instead of spelling its name.
 * The counters and timers are registered at zero when moderation starts, one flagged counter per
 * configured concept, so dashboards and alerts (a flagged-rate jump after a model rollout) see every
 * series from the first scrape; meters tagged by model version appear with the first sample of that
 * version. Depends on the registry only, so any bean can take it without a construction cycle.
 */
@ApplicationScoped
public class ModerationMeters {
    /** The model_version tag of a sample or job that names none. */
    static final String UNKNOWN_VERSION = "unknown";
    private static final String[] REVIEW_DECISIONS = {"approve", "reject"};

    private final MeterRegistry registry;

    /** In CDI and outside it (unit tests). */
    @Inject
    public ModerationMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void registerAtZero(@Observes StartupEvent ignored, PolicySettings policy) {
        scored();
        policy.concepts().keySet().forEach(this::flagged);
        samplesReleased();
        samplesQuarantined();
        samplesFailedQuality();
        samplesLowAdherence();
        samplesParked();
        jobsSucceeded();
        jobsNeedsReview();
        jobsRejected();
        jobsFailed(JobSettler.QUALITY_FAILED);
        jobsFailed(JobSettler.MODERATION_FAILED);
        for (String decision : REVIEW_DECISIONS) {
            reviewDecisions(decision);
        }
        reviewDecisionLatency();
        eventAge();
        sampleDuration();
        for (String outcome : new String[] {"released", "withheld", "stale", "failed"}) {
            previews(outcome);
        }
        uploadsScanned("accepted");
        uploadsScanned("flagged");
        uploadsScanned("in_review");
    }

    /** Uploads scanned, by outcome: accepted, flagged or in_review. */
    public Counter uploadsScanned(String outcome) {
        return registry.counter("genq.moderation.uploads", "outcome", outcome);
    }

    /** Live previews by outcome: released, withheld (flagged), stale (too old to score) or failed. */
    public Counter previews(String outcome) {
        return registry.counter("genq.moderation.previews", "outcome", outcome);
    }

    /** Samples the safety classifier scored. */
    public Counter scored() {
        return registry.counter("genq.moderation.scored");
    }

    /** Samples that flagged {@code concept}, by image score or by prompt. */
    public Counter flagged(String concept) {
        return registry.counter("genq.moderation.flagged", "concept", concept);
    }

    public Counter samplesReleased() {
        return registry.counter("genq.samples.released");
    }

    public Counter samplesQuarantined() {
        return registry.counter("genq.samples.quarantined");
    }

    public Counter samplesFailedQuality() {
        return registry.counter("genq.samples.failed_quality");
    }

    /** Samples whose prompt adherence was below the judge's threshold, over all model versions. */
    public Counter samplesLowAdherence() {
        return registry.counter("genq.samples.low_adherence");
    }

    /** Samples moderation gave up on after too many failures. */
    public Counter samplesParked() {
        return registry.counter("genq.samples.parked");
    }

    public Counter jobsSucceeded() {
        return registry.counter("genq.jobs.succeeded");
    }

    public Counter jobsNeedsReview() {
        return registry.counter("genq.jobs.needs_review");
    }

    public Counter jobsRejected() {
        return registry.counter("genq.jobs.rejected");
    }

    /** Jobs moderation failed, by stable code. */
    public Counter jobsFailed(String code) {
        return registry.counter("genq.jobs.failed", "code", code);
    }

    /** Quality verdicts, by the sample's model version (null: unknown). */
    public Counter qualityChecked(String modelVersion) {
        return registry.counter("genq.quality.checked", "model_version", version(modelVersion));
    }

    /** Quality verdicts that gave {@code reason}, by the sample's model version (null: unknown). */
    public Counter qualityFailed(String modelVersion, String reason) {
        return registry.counter("genq.quality.failed", "model_version", version(modelVersion), "reason", reason);
    }

    /** The judge's prompt-adherence score of each picture, by model version (null: unknown). */
    public DistributionSummary qualityAdherence(String modelVersion) {
        return DistributionSummary.builder("genq.quality.adherence").description("the judge's prompt-adherence score of each picture")
                .tag("model_version", version(modelVersion)).register(registry);
    }

    /** Each job's diversity, by model version (null: unknown). */
    public DistributionSummary qualityDiversity(String modelVersion) {
        return DistributionSummary.builder("genq.quality.diversity")
                .description("mean pairwise distance of a job's samples in the judge's feature space")
                .tag("model_version", version(modelVersion)).register(registry);
    }

    /** Reviewers' decisions, by decision. */
    public Counter reviewDecisions(String decision) {
        return registry.counter("genq.review.decisions", "decision", decision);
    }

    /** From a review item's creation to its decision. */
    public Timer reviewDecisionLatency() {
        return registry.timer("genq.review.decision.latency");
    }

    /** From a samples.generated message's publication to its consumption here. */
    public Timer eventAge() {
        return registry.timer("genq.moderation.event.age");
    }

    /** Moderating one sample. */
    public Timer sampleDuration() {
        return registry.timer("genq.moderation.sample.duration");
    }

    /** Pending review items, read from {@code depth} (held for as long as the registry is). */
    public Gauge reviewQueueDepth(Supplier<Number> depth) {
        return Gauge.builder("genq.review.queue.depth", depth).description("pending review items").register(registry);
    }

    /** Age in seconds of the oldest pending review item, read from {@code ageSeconds}. */
    public Gauge reviewQueueOldestAge(Supplier<Number> ageSeconds) {
        return Gauge.builder("genq.review.queue.oldest.age", ageSeconds).baseUnit("seconds")
                .description("age of the oldest pending review item").register(registry);
    }

    private static String version(String modelVersion) {
        return modelVersion == null ? UNKNOWN_VERSION : modelVersion;
    }
}
