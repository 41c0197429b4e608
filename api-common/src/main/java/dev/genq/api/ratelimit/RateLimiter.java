package dev.genq.api.ratelimit;

import dev.genq.api.auth.Caller;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * One token bucket per API key, in this gateway's memory: with several gateways behind a balancer a
 * key gets up to that many times its rate, which is the usual trade for not paying a network hop per request.
 */
@ApplicationScoped
public class RateLimiter {

    @ConfigMapping(prefix = "genq.rate-limit")
    public interface Settings {
        /** For keys without their own rate_limit_per_second. */
        @WithDefault("50")
        double requestsPerSecond();

        /** A key may burst this many seconds' worth of requests after being idle. */
        @WithDefault("2")
        double burstSeconds();
    }

    private final Settings settings;
    private final TokenBuckets<UUID> buckets = new TokenBuckets<>(Integer.MAX_VALUE); // keys are rows: bounded already

    public RateLimiter(Settings settings) {
        this.settings = settings;
    }

    /** @return 0 if the request may go ahead, else the seconds to wait (at least 1) */
    public long acquire(Caller caller) {
        double rate = caller.rateLimitPerSecond() != null ? caller.rateLimitPerSecond() : settings.requestsPerSecond();
        return buckets.take(caller.keyId(), rate, Math.max(1, rate * settings.burstSeconds()));
    }

    /** What {@link #acquire} would answer now, without taking a token: 0, or the seconds to wait. */
    public long peek(Caller caller) {
        return buckets.peek(caller.keyId());
    }
}
