package dev.genq.gateway.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A job as the API shows it to its owner. {@code diversity}: how different its samples are (mean pairwise
 * distance in the judge's feature space, 0 = identical), once moderation has decided them all.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(UUID id, String status, String mode, UUID parentId, Integer parentSample, double progress,
                      Params params, String modelVersion,
                      boolean promptTruncated, Timings timings, Cost cost, Double diversity, List<SampleView> samples,
                      Error error, String priority, Queue queue) {

    /**
     * Where a queued job stands (README: Scheduling): {@code position} jobs of its mode start before it (at least that
     * many when {@code position_at_least} is true: the count stops past 100 waiting jobs); {@code eta_seconds} until
     * it starts, from the measured start rate (absent until there is one).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Queue(long position, Double etaSeconds, Boolean positionAtLeast) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Params(String prompt, String negativePrompt, int numSamples, long seed, int steps,
                         double guidanceScale, String sampler, String model, String webhook,
                         List<String> webhookEventsFilter, Integer previewEvery, Double strength,
                         dev.genq.storage.job.Region region, UUID initImage, UUID maskImage,
                         dev.genq.storage.job.Margins outpaint,
                         @Schema(description = "the base picture's width asked for (absent: the model's native square); "
                                 + "a full job's samples are the upscale factor times it") Integer width,
                         Integer height) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Timings(OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    /**
     * Compute seconds used and the USD billed, summed over every sample and stage: a stage's steps at the price quoted
     * when the job was accepted (its dry run's figure), or its compute's price where no measured rate was there to quote.
     */
    public record Cost(double computeSeconds, BigDecimal usd) {
    }

    /**
     * {@code url} (a presigned download, until {@code url_expires_at}) and {@code link} (an API path that
     * redirects to a fresh one, never expiring) are present only for released samples; a webhook carries the
     * link alone, since it may be delivered long after any URL would have expired. {@code quality} once
     * moderation has checked the sample.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SampleView(int index, String status, long seed, int width, int height, String url,
                             Instant urlExpiresAt, String link, Cost cost, Quality quality, Boolean cacheHit) {
        /** The same sample without its presigned URL. */
        public SampleView linkOnly() {
            return new SampleView(index, status, seed, width, height, null, null, link, cost, quality, cacheHit);
        }
    }

    /** The same job with every sample's presigned URL left out (links only): what webhooks carry. */
    public JobView linksOnly() {
        return new JobView(id, status, mode, parentId, parentSample, progress, params, modelVersion, promptTruncated,
                timings, cost, diversity, samples.stream().map(SampleView::linkOnly).toList(), error, priority, queue);
    }

    /**
     * Moderation's quality verdict (README: What genq checks in every image): a picture at all, and its prompt
     * adherence {@code score} against the judge's {@code threshold}; {@code action} says what a failure did
     * (fail: not released, not billed; flag: released, recorded).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record Quality(boolean passed, String action, List<String> reasons, Double score, Double threshold, String judge) {
    }

    public record Error(String code, String message) {
    }
}
