package dev.genq.gateway.canary;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How automatic canary analysis decides (README: Model rollout). */
@ConfigMapping(prefix = "genq.canary-analysis")
public interface CanaryAnalysisSettings {
    /** Off: canaries move only through the admin API. */
    @WithDefault("true")
    boolean enabled();

    /** How often a gateway looks at every canary under analysis. */
    @WithDefault("PT10S")
    Duration interval();

    /** Settled jobs each version needs in a window before the canary may be promoted. */
    @WithDefault("100")
    int minJobs();

    /** The most often a canary that is no worse is rolled back (split evenly over the metrics). */
    @WithDefault("0.01")
    double falseAlarmRate();

    /** The regression each test is built to find: the canary's bad-job rate this many times stable's. */
    @WithDefault("3")
    double rateRatio();

    /** A job is slow when its milliseconds per step exceed this many times stable's median in the window. */
    @WithDefault("2")
    double slowFactor();

    /** Where each decision is sent as a signed webhook (the operator tenant's secret); none: recorded only. */
    Optional<String> webhookUrl();
}
