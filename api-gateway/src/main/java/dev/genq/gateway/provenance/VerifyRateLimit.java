package dev.genq.gateway.provenance;

import dev.genq.api.problem.ProblemException;
import dev.genq.api.ratelimit.TokenBuckets;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Verifications per tenant ({@code genq.provenance.verify-rate}, {@code verify-burst}), per gateway: a verification
 * may scan many fingerprints, so it has a rate of its own beside the key's request rate.
 */
@ApplicationScoped
public class VerifyRateLimit {
    /** Beyond this many tenants' buckets all are dropped: bounded memory, at the price of one extra burst each. */
    static final int MAX_BUCKETS = 10_000;

    private final ProvenanceSettings settings;
    private final TokenBuckets<UUID> buckets = new TokenBuckets<>(MAX_BUCKETS);

    public VerifyRateLimit(ProvenanceSettings settings) {
        this.settings = settings;
    }

    /** @throws ProblemException 429 verify_rate_limited, with Retry-After, when the tenant is over its rate */
    public void acquire(UUID tenant) {
        long wait = buckets.take(tenant, settings.verifyRate(), settings.verifyBurst());
        if (wait > 0) {
            throw ProblemException.tooManyRequests("verify_rate_limited", "this tenant is over its provenance verifications "
                    + "per second (" + settings.verifyRate() + "); retry after the time given in Retry-After",
                    wait);
        }
    }
}
