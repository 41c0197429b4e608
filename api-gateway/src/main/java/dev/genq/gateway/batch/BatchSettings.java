package dev.genq.gateway.batch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "genq.batches")
public interface BatchSettings {
    /** Items in one batch, at most. */
    @WithDefault("10000")
    int maxItems();

    /** How often open batches are checked for completion (batch.completed goes out within about this). */
    @WithDefault("PT1S")
    Duration completionInterval();
}
