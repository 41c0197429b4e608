package dev.genq.gateway.watch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** What clients may hold open on one gateway, and how often the jobs they watch are read. */
@ConfigMapping(prefix = "genq.api.watch")
public interface WatchSettings {
    /** How often the gateway reads every watched job (one query for all of them). */
    @WithDefault("PT0.1S")
    Duration pollInterval();

    /** After a failed read (the database away), the wait before the next, doubling up to {@code max-backoff}. */
    @WithDefault("PT0.2S")
    Duration minBackoff();

    @WithDefault("PT5S")
    Duration maxBackoff();

    /** {@code Prefer: wait} requests one key may hold at once; past any wait cap the answer is 202 at once. */
    @WithDefault("100")
    int waitsPerKey();

    @WithDefault("200")
    int waitsPerTenant();

    @WithDefault("5000")
    int waitsPerGateway();

    /** Event streams one key may hold open; past any stream cap a new stream is refused (429 too_many_streams). */
    @WithDefault("50")
    int streamsPerKey();

    @WithDefault("200")
    int streamsPerTenant();

    @WithDefault("5000")
    int streamsPerGateway();

    /** The longest an event stream stays open; the client reconnects after it. */
    @WithDefault("PT30M")
    Duration streamMaxDuration();
}
