package dev.genq.api.auth;

import dev.genq.api.ratelimit.TokenBucket;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private final Map<String, TokenBucket> byAddress = new ConcurrentHashMap<>();

    public FailedAuthentications(Settings settings) {
        this.settings = settings;
    }

    Duration unknownKeyCache() {
        return settings.unknownKeyCache();
    }

    /** @return 0 if the address may try a lookup, else the seconds until it may (at least 1) */
    long waitBeforeLookup(String address) {
        TokenBucket bucket = byAddress.get(address);
        if (bucket == null) {
            return 0;
        }
        long nanos = bucket.peek(System.nanoTime());
        return nanos == 0 ? 0 : Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Spends one of the address's failures. */
    void failed(String address) {
        if (byAddress.size() >= ADDRESS_LIMIT) {
            byAddress.clear(); // a flood from many addresses: start over rather than grow without bound
        }
        byAddress.computeIfAbsent(address, a -> new TokenBucket(settings.perSecond(), settings.burst(), System.nanoTime()))
                .tryTake(System.nanoTime());
    }
}
