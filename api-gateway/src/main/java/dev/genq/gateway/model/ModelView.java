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
        @Schema(description = "the sizes (WIDTHxHEIGHT) a job may ask for with width and height: those every served "
                + "version draws, the native square first", examples = "[\"32x32\", \"48x32\"]") List<String> sizes,
        @Schema(description = "what a step costs, per sample and per batch, for text-to-image models, by stage") Cost costPerSampleStepUsd,
        List<Version> versions) {

    /** One registered version and its own limits and defaults. */
    @Schema(name = "ModelVersion")
    public record Version(
            String version,
            @Schema(description = "stable, canary, or registered (served, not named by the rollout)") String rollout,
            @Schema(description = "when a worker last registered it") OffsetDateTime registeredAt,
            @Schema(description = "the native output's width and height in pixels (a job's default)") int resolution,
            @Schema(description = "the sizes it draws (WIDTHxHEIGHT), native first") List<String> sizes,
            List<String> samplers, String defaultSampler,
            int minSteps, int maxSteps, int defaultSteps,
            double defaultGuidanceScale,
            String license,
            @Schema(description = "whether its jobs may start from an image (init_image, variations): not a latent "
                    + "package's, which has no VAE encoder") boolean imageInputs) {
    }

    /**
     * What each stage costs, fitted to the model's recent succeeded jobs (or the configured estimate before any
     * ran, {@code *_measured: false}): USD per sample per step, plus USD per step whatever the samples (each step's
     * fixed part, shared by the samples in its batch; 0 until jobs of different sizes ran). The upscale (a full
     * job's second stage) runs the super-resolution model's {@code upscale_steps} whatever the base steps (the steps
     * the model's recent upscales ran; before any, the most of the served super-resolution models' defaults), and is
     * absent while none is served. A job's estimate: base steps × (base_per_step + samples × base) + upscale steps ×
     * (upscale_per_step + samples × upscale).
     */
    @Schema(name = "ModelCost")
    public record Cost(BigDecimal base, BigDecimal basePerStep, boolean baseMeasured, BigDecimal upscale,
                       BigDecimal upscalePerStep, Boolean upscaleMeasured, Integer upscaleSteps) {
    }
}
