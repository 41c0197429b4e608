package dev.genq.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One recorded rollout change: who made it and why, and for an automatic canary decision the evidence behind it. */
public record RolloutChangeView(long id, String stableVersion, String canaryVersion, double canaryShare, boolean canaryAnalysis,
                                @Schema(description = "a key, 'configuration' or 'canary-analysis'") String changedBy,
                                String reason,
                                @Schema(description = "canary-analysis only: the window's outcomes per version and each "
                                        + "metric's sequential test") JsonNode statistics,
                                OffsetDateTime changedAt) {
}
