package dev.genq.gateway.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A model's new rollout: the whole state, not a patch, so what an operator sends is what new jobs get. */
@Schema(description = "The versions new jobs of a model get")
public record RolloutRequest(
        @Schema(description = "the version new jobs get outside the canary's share; null: none named") String stableVersion,
        @Schema(description = "a version taking canary_share of new jobs; null: no canary") String canaryVersion,
        @Schema(description = "0..1 of new jobs pinned to the canary (required with a canary; 0 rolls it back)") Double canaryShare,
        @Schema(description = "why, kept in the model's rollout history (at most 500 characters)") String reason,
        @Schema(description = "false holds automatic canary analysis off for this rollout (the operator decides alone); "
                + "default true") Boolean canaryAnalysis) {
}
