package dev.genq.moderation.preview;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Live previews: which consumer group scores them, and when one is too old to be worth scoring. */
@ConfigMapping(prefix = "genq.moderation.previews")
public interface PreviewSettings {
    @WithDefault("genq-moderation-previews")
    String consumerGroup();

    /** A preview older than this when read is dropped unscored: the job has moved on (or ended). */
    @WithDefault("PT10S")
    Duration maxAge();
}
