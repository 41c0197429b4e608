package dev.genq.gateway.job;

import dev.genq.storage.job.JobMode;

/** A job request after validation, with every default filled in. */
public record ValidJob(String prompt, String negativePrompt, JobMode mode, int numSamples, long seed, int steps,
                       double guidanceScale, String sampler, String model, String webhookUrl, String webhookEvents,
                       int previewEvery) {
}
