package dev.genq.gateway.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Set;

/** What a job request may ask for. Defaults suit the shipped models on a laptop CPU. */
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

    /** Samplers the workers implement. */
    @WithDefault("ddim,ddpm,dpmpp_2m")
    Set<String> samplers();

    /** Base models the workers serve, by name. */
    @WithDefault("tiny-base")
    Set<String> models();

    @WithDefault("tiny-base")
    String defaultModel();

    @WithDefault("20")
    int defaultSteps();

    @WithDefault("3.0")
    double defaultGuidanceScale();

    @WithDefault("ddim")
    String defaultSampler();
}
