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

}
