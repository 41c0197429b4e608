package dev.genq.moderation.review;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A review item as reviewers see it; {@code thumbnail_url} is a short-lived link into quarantine, {@code quality}
 * the sample's quality verdict (absent for items made before it existed).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReviewView(UUID id, UUID tenantId, UUID jobId, int sample, String status, List<String> concepts,
                         Map<String, Double> scores, List<String> reasons, String prompt, OffsetDateTime createdAt,
                         String claimedBy, OffsetDateTime claimExpiresAt, OffsetDateTime decidedAt,
                         String thumbnailUrl, Instant thumbnailExpiresAt, Quality quality, List<HistoryEntry> history) {

    /** The sample's quality verdict beside the safety one: a picture at all, and its prompt adherence. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record Quality(boolean passed, String action, List<String> reasons, Double score, Double threshold, String judge) {
    }

    public record HistoryEntry(OffsetDateTime at, String actor, String action, String note) {
    }
}
