package dev.genq.gateway.job;

import dev.genq.storage.job.JobMode;

/** A job request after validation, with every default filled in. */
public record ValidJob(String prompt, String negativePrompt, JobMode mode, int numSamples, long seed, int steps,
                       double guidanceScale, String sampler, String model, String webhookUrl, String webhookEvents,
                       int previewEvery, InitImage initImage,
                       dev.genq.storage.job.Priority priority, boolean cache) {

    /**
     * Image-to-image: the upload ids as given (checked against the tenant's uploads when the job is created), and
     * for outpainting its margins (null otherwise).
     */
    public record InitImage(String upload, String mask, double strength, dev.genq.storage.job.Margins outpaint) {
    }
}
