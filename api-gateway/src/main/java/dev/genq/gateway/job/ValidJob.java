package dev.genq.gateway.job;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.JobMode;

/**
 * A job request after validation, with every default filled in. {@code lookUpCache}: an earlier result may answer it
 * (the client did not opt out with {@code "cache": false} and chose the seed; a seed drawn now at random was never
 * used before, so looking for it would be a query per submit that cannot hit). {@code size}: the picture size asked
 * for (one the model offers), or null for the model's native square.
 */
public record ValidJob(String prompt, String negativePrompt, JobMode mode, int numSamples, long seed, int steps,
                       double guidanceScale, String sampler, String model, String webhookUrl, String webhookEvents,
                       int previewEvery, InitImage initImage,
                       dev.genq.storage.job.Priority priority, boolean lookUpCache, ImageSize size) {

    /** The same request in another lane (a batch's items all go to the bulk lane). */
    public ValidJob withPriority(dev.genq.storage.job.Priority lane) {
        return new ValidJob(prompt, negativePrompt, mode, numSamples, seed, steps, guidanceScale, sampler, model, webhookUrl,
                webhookEvents, previewEvery, initImage, lane, lookUpCache, size);
    }

    /**
     * Image-to-image: the upload ids as given (checked against the tenant's uploads when the job is created), and
     * for outpainting its margins (null otherwise).
     */
    public record InitImage(String upload, String mask, double strength, dev.genq.storage.job.Margins outpaint) {
    }
}
