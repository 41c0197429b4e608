package dev.genq.gateway.quota;

import java.math.BigDecimal;

/**
 * What one stage of a job costs, as the worker bills it: each denoising step's wall time is shared by the samples
 * in its batch, so a step costs a fixed part (the sampler's arithmetic, the forward's overhead), paid by the batch
 * whoever is in it, plus a part per sample (its rows of the forward). A job of {@code n} samples and {@code s}
 * steps alone in its batches costs {@code s × (perStep + n × perSampleStep)}; sharing batches with other jobs only
 * makes it cheaper, so the estimate errs high under load.
 *
 * @param perStep       USD per step, whatever the samples (0 where the history cannot tell it apart)
 * @param perSampleStep USD per sample per step
 * @param measured      fitted to the model's recent jobs, else the configured default
 * @param recentSteps   the steps the newest of those jobs ran in this stage (0 without history): for the upscale, the
 *                      steps of the super-resolution model the workers run, which the gateway is not told
 */
public record StageCost(BigDecimal perStep, BigDecimal perSampleStep, boolean measured, int recentSteps) {

    /** USD for {@code samples} samples running {@code steps} steps of this stage together. */
    public BigDecimal of(int samples, int steps) {
        return perStep.add(perSampleStep.multiply(BigDecimal.valueOf(samples))).multiply(BigDecimal.valueOf(steps));
    }

}
