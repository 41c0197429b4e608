package dev.genq.gateway.model;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A model's rollout now and its recorded changes, newest first. */
public record RolloutView(String model, String stableVersion, String canaryVersion, double canaryShare,
                          @Schema(description = "whether automatic canary analysis watches this rollout") boolean canaryAnalysis,
                          List<RolloutChangeView> history) {
}
