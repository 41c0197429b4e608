package dev.genq.moderation.review;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "genq.review")
public interface ReviewSettings {
    /** How long a claim holds an item for one reviewer. */
    @WithDefault("PT10M")
    Duration claimDuration();

    /** How long a rejected sample's bytes stay in quarantine before they are deleted (0: at once). */
    @WithDefault("PT0S")
    Duration rejectedRetention();

    /** How long a thumbnail URL given to a reviewer stays valid. */
    @WithDefault("PT10M")
    Duration thumbnailExpiry();

    /** How often due quarantined bytes (expired rejected samples, approved samples' copies) are deleted. */
    @WithDefault("PT1M")
    Duration purgeInterval();
}
