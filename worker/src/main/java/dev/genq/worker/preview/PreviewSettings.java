package dev.genq.worker.preview;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Live previews: how large they are and how many may wait to be sent. */
@ConfigMapping(prefix = "genq.worker.previews")
public interface PreviewSettings {
    /** Longest side of a preview image; a larger stage is box-averaged down by a whole factor. */
    @WithDefault("64")
    int maxSize();

    /**
     * Previews waiting to be encoded and sent; past this the newest are dropped (counted): a preview is
     * worth less than the denoising it would slow.
     */
    @WithDefault("64")
    int queue();
}
