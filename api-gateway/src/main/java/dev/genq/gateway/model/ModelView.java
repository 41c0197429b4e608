package dev.genq.gateway.model;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A model the workers registered: its versions, what a job may ask of it, and what a step costs. */
@Schema(description = "A model the workers serve")
public record ModelView(
        String name,
        @Schema(description = "text-to-image or super-resolution") String kind,
        @Schema(description = "a job that names no model gets this one (text-to-image); a full job's upscale runs it (super-resolution)")
        boolean isDefault,
        @Schema(description = "the version a submit is validated against: the most recently registered") String latestVersion,
        @Schema(description = "the version new jobs are pinned to, where the rollout names one a worker serves") String stableVersion,
        @Schema(description = "a version taking canary_share of the new jobs, where the rollout names one a worker serves") String canaryVersion,
        Double canaryShare,
        @Schema(description = "most samples one job may ask for") int maxSamples,
        @Schema(description = "highest guidance_scale a job may ask for") double maxGuidanceScale,
        @Schema(description = "USD per sample per step for text-to-image models, by job mode") Cost costPerSampleStepUsd,
        List<Version> versions) {

    /** One registered version and its own limits and defaults. */
    @Schema(name = "ModelVersion")
    public record Version(
            String version,
            @Schema(description = "stable, canary, or registered (served, not named by the rollout)") String rollout,
            @Schema(description = "when a worker last registered it") OffsetDateTime registeredAt,
            @Schema(description = "output width and height in pixels") int resolution,
            List<String> samplers, String defaultSampler,
            int minSteps, int maxSteps, int defaultSteps,
            double defaultGuidanceScale,
            String license) {
    }

    /**
     * USD per sample per step, measured over the model's recent succeeded jobs of each mode (a full job's
     * figure includes its upscale), or the configured estimate before any ran; full is absent while no
     * super-resolution model is served.
     */
    @Schema(name = "ModelCost")
    public record Cost(BigDecimal preview, boolean previewMeasured, BigDecimal full, Boolean fullMeasured) {
    }
}
