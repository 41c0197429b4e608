package dev.genq.client;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of {@code POST /v1/jobs}. Only {@code prompt} is required; every null field takes the server's default.
 * Build one with {@link #of(String)} and the {@code with...} methods.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRequest(String prompt, String negativePrompt, String mode, String model, Integer numSamples, Long seed,
                         Integer steps, Double guidanceScale, String sampler, String priority, String webhook,
                         Integer previewEvery, Boolean dryRun, Integer width, Integer height) {

    public static JobRequest of(String prompt) {
        return new JobRequest(prompt, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public JobRequest withNegativePrompt(String v) {
        return new JobRequest(prompt, v, mode, model, numSamples, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    /** {@code preview} (the cheap stage only) or {@code full} (preview and upscale). */
    public JobRequest withMode(String v) {
        return new JobRequest(prompt, negativePrompt, v, model, numSamples, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withModel(String v) {
        return new JobRequest(prompt, negativePrompt, mode, v, numSamples, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withSamples(int v) {
        return new JobRequest(prompt, negativePrompt, mode, model, v, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withSeed(long v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, v, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withSteps(int v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, v, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withGuidanceScale(double v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, v, sampler, priority, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withSampler(String v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, guidanceScale, v, priority, webhook, previewEvery, dryRun, width, height);
    }

    /** {@code interactive} (default) or {@code bulk}. */
    public JobRequest withPriority(String v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, guidanceScale, sampler, v, webhook, previewEvery, dryRun, width, height);
    }

    public JobRequest withWebhook(String v) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, guidanceScale, sampler, priority, v, previewEvery, dryRun, width, height);
    }

    /** One of the model's sizes ({@code GET /v1/models}: {@code sizes}); omitted, the model's native square. */
    public JobRequest withSize(int w, int h) {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, dryRun, w, h);
    }

    JobRequest asDryRun() {
        return new JobRequest(prompt, negativePrompt, mode, model, numSamples, seed, steps, guidanceScale, sampler, priority, webhook, previewEvery, true, width, height);
    }
}
