package dev.genq.gateway.upload;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits on what an upload may be, checked on its header before anything is decoded. */
@ConfigMapping(prefix = "genq.uploads")
public interface UploadSettings {
    /** The largest body accepted on POST /v1/uploads (the transport limit, quarkus.http.limits.max-body-size, is above it). */
    @WithDefault("8388608")
    long maxBytes();

    /** The longest side, in pixels. */
    @WithDefault("4096")
    int maxSide();

    /** The most pixels (width × height): what bounds the memory a decode takes (4 bytes each). */
    @WithDefault("4194304")
    long maxPixels();

    /** How long an upload can be used after it was sent; moderation deletes it after that. */
    @WithDefault("PT24H")
    Duration retention();

    /** Uploads decoded at the same time by one gateway; more wait their turn (bounded by the request timeout). */
    @WithDefault("2")
    int concurrentDecodes();
}
