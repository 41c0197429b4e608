package dev.genq.moderation.review;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A review item as reviewers see it; {@code thumbnail_url} is a short-lived link into quarantine. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReviewView(UUID id, UUID tenantId, UUID jobId, int sample, String status, List<String> concepts,
                         Map<String, Double> scores, List<String> reasons, String prompt, OffsetDateTime createdAt,
                         String claimedBy, OffsetDateTime claimExpiresAt, OffsetDateTime decidedAt,
                         String thumbnailUrl, Instant thumbnailExpiresAt, List<HistoryEntry> history) {

    public record HistoryEntry(OffsetDateTime at, String actor, String action, String note) {
    }
}
