package dev.genq.gateway.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "genq.webhooks")
public interface WebhookSettings {
    /**
     * Waits between attempts; its length + 1 is the number of attempts. The default is Svix's:
     * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about 27.6 hours).
     */
    @WithDefault("PT5S,PT5M,PT30M,PT2H,PT5H,PT10H,PT10H")
    List<Duration> retrySchedule();

    /**
     * Hosts, exactly as written in webhook URLs (a name or an IP literal), that may resolve to loopback,
     * private or link-local addresses. Empty in production; a local run allows 127.0.0.1.
     */
    Optional<List<String>> allowedHosts();

    @WithDefault("2048")
    int maxUrlLength();

    @WithDefault("PT5S")
    Duration connectTimeout();

    /**
     * The whole attempt's deadline: connect, send, and the answer's status and headers (its body is never
     * read). When it passes the connection is closed: a receiver that trickles its answer holds a sender no longer.
     */
    @WithDefault("PT15S")
    Duration requestTimeout();

    /**
     * Key-encryption keys for the signing secrets stored in Postgres, as {@code id:base64} (32 random bytes
     * each). The first seals; all open, so a new key goes first and the old one stays listed until every
     * gateway runs with the new one (each gateway re-seals at start). Required: without it the gateway does
     * not start.
     */
    Optional<List<String>> secretKeys();

    /** Secrets live at once per tenant (each signs every delivery): rotating past this is a 429 until the oldest expires. */
    @WithDefault("5")
    int maxLiveSecrets();

    /** How long a rotated-out secret keeps signing, so receivers can switch without losing events. */
    @WithDefault("PT24H")
    Duration secretGracePeriod();

    /** The longest Retry-After honoured; a larger value is capped to this. */
    @WithDefault("PT24H")
    Duration maxRetryAfter();

    /**
     * The dispatcher's and the job-event consumer's wait after a database failure (not a receiver's: that is
     * {@code retry-schedule}), doubling up to {@code max-backoff}.
     */
    @WithDefault("PT0.2S")
    Duration minBackoff();

    @WithDefault("PT10S")
    Duration maxBackoff();

    default dev.genq.storage.retry.Backoff failureBackoff() {
        return new dev.genq.storage.retry.Backoff(minBackoff(), maxBackoff());
    }

    /** How often the dispatcher looks for due deliveries. */
    @WithDefault("PT0.5S")
    Duration pollInterval();

    /** Deliveries sent in parallel by one gateway. */
    @WithDefault("8")
    int concurrency();

    /** Deliveries of one tenant sent at once, over all gateways: a slow receiver holds no more senders than this. */
    @WithDefault("2")
    int perTenantConcurrency();

    /** How long a claimed delivery is held before another gateway may take it over (a crashed sender); at least twice the request timeout, so a slow attempt is never sent twice at once. */
    @WithDefault("PT2M")
    Duration lease();
}
