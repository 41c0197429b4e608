package dev.genq.gateway.job;

import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer to a dry run: what the job would cost and how long it would wait. Nothing was created. */
@Schema(description = "What a job would cost and wait (dry_run); nothing was created")
public record JobEstimate(
        @Schema(description = "always true: nothing was created, queued, reserved or billed") boolean dryRun,
        String model, String mode, String priority, int numSamples,
        @Schema(description = "the denoising steps it would be billed for (image inputs: the strength's share, "
                + "masked runs: with their resampling passes) for its base stage") int billedSteps,
        @Schema(description = "a full job's upscale steps (the super-resolution model's own, as the model's recent upscales ran them), 0 for a preview") int upscaleSteps,
        @Schema(description = "samples x billed steps x the model's measured cost per sample-step for this mode "
                + "(the figure the budget reserves at submit); 0 when the result cache would answer") BigDecimal estimatedCostUsd,
        @Schema(description = "false while the model has no succeeded jobs of this mode and the configured estimate is used")
        boolean costMeasured,
        @Schema(description = "the exact result cache would answer it (a request naming its seed)") boolean cacheHit,
        @Schema(description = "queued jobs it would wait behind, counted up to 100") long queuePosition,
        @Schema(description = "more than queue_position are ahead") boolean queuePositionAtLeast,
        @Schema(description = "queue_position over the mode's recent start rate; absent while there is too little history")
        Double estimatedQueueSeconds) {
}
