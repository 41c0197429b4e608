package dev.genq.gateway.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What a job request may ask for, on top of each model's own limits and defaults from the catalog
 * ({@link dev.genq.gateway.model.ModelCatalog}).
 */
@ConfigMapping(prefix = "genq.jobs")
public interface JobLimits {
    @WithDefault("1000")
    int maxPromptChars();

    @WithDefault("4")
    int maxSamples();

    @WithDefault("1000")
    int maxSteps();

    @WithDefault("30")
    double maxGuidanceScale();

    /** The model a request without "model" gets; must be a text-to-image model in the catalog. */
    @WithDefault("emoji-base")
    String defaultModel();

    /**
     * How long a job may stay queued before it fails with deadline_exceeded (not billed). The worker reads the
     * same setting ({@link dev.genq.storage.job.JobStatus#QUEUE_DEADLINE}): set it alike on both.
     */
    @WithDefault(dev.genq.storage.job.JobStatus.QUEUE_DEADLINE_DEFAULT)
    java.time.Duration queueDeadline();

    /** The same for bulk jobs (priority bulk, a batch's items), which wait for room by design. */
    @WithDefault(dev.genq.storage.job.JobStatus.BULK_QUEUE_DEADLINE_DEFAULT)
    java.time.Duration bulkQueueDeadline();
}
