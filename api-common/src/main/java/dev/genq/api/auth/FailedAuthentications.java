package dev.genq.api.auth;

import dev.genq.api.ratelimit.TokenBuckets;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Throttles what unknown keys cost: each client address may fail authentication {@code per-second} times a
 * second (bursts of {@code burst}); past that, its keys that this service has never seen valid are
 * answered 429 without a database lookup. Keys seen valid (in the identity cache, even expired) are never
 * held up, so a legitimate client behind the same address keeps working. The address is the peer's, or the forwarded one
 * when {@code quarkus.http.proxy.proxy-address-forwarding} is on behind a trusted proxy.
 */
@ApplicationScoped
public class FailedAuthentications {
    private static final int ADDRESS_LIMIT = 50_000;

    @ConfigMapping(prefix = "genq.auth.failures")
    public interface Settings {
        @WithDefault("10")
        double perSecond();

        @WithDefault("50")
        double burst();

        /** How long an unknown key is remembered as unknown (each costs one lookup per this time). */
        @WithDefault("PT5S")
        Duration unknownKeyCache();
    }

    private final Settings settings;
    private final TokenBuckets<String> byAddress = new TokenBuckets<>(ADDRESS_LIMIT);

    public FailedAuthentications(Settings settings) {
        this.settings = settings;
    }

    Duration unknownKeyCache() {
        return settings.unknownKeyCache();
    }

    /** @return 0 if the address may try a lookup, else the seconds until it may (at least 1) */
    long waitBeforeLookup(String address) {
        return byAddress.peek(address);
    }

    /** Spends one of the address's failures. */
    void failed(String address) {
        byAddress.take(address, settings.perSecond(), settings.burst()); // a flood from many addresses starts over
    }
}
