package dev.genq.api.auth;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.outage.DatabaseOutage;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a raw API key into an identity: one indexed lookup of its SHA-256, cached for a few seconds
 * so a busy client does not cost a query per request. A revoked key stops working on this gateway at
 * once and on others within the cache time. An unknown key is remembered as unknown for a few seconds
 * too, and an address that keeps sending unknown keys is throttled before any lookup
 * ({@link FailedAuthentications}).
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    static final Duration CACHE_TIME = Duration.ofSeconds(10);
    private static final int CACHE_LIMIT = 10_000;

    private record Cached(Caller caller, Set<String> roles, long expiresAtNanos) {
    }

    /** The request attribute the mechanism sets to the client's address. */
    static final String CLIENT_ADDRESS = "genq.client-address";

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Long> unknown = new ConcurrentHashMap<>();
    private final AtomicLong lookups = new AtomicLong();
    private final FailedAuthentications failures;

    public ApiKeyIdentityProvider(FailedAuthentications failures) {
        this.failures = failures;
    }

    /** Database lookups of keys so far (what unknown keys cost is visible in tests and benchmarks). */
    public long lookups() {
        return lookups.get();
    }

    /**
     * The caller a raw key stands for if this service saw it valid within the cache time, without a lookup;
     * empty for anything else (unknown, expired from the cache, malformed).
     */
    public java.util.Optional<Caller> knownCaller(String raw) {
        if (!ApiKey.wellFormed(raw)) {
            return java.util.Optional.empty();
        }
        Cached hit = cache.get(ApiKey.hash(raw));
        return hit != null && hit.expiresAtNanos - System.nanoTime() > 0 ? java.util.Optional.of(hit.caller)
                : java.util.Optional.empty();
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String raw = request.getToken().getToken();
        if (!ApiKey.wellFormed(raw)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("malformed key"));
        }
        String hash = ApiKey.hash(raw);
        Cached hit = cache.get(hash);
        if (hit != null && hit.expiresAtNanos - System.nanoTime() > 0) {
            return Uni.createFrom().item(identity(hit));
        }
        String address = (String) request.getAttribute(CLIENT_ADDRESS);
        Long unknownUntil = unknown.get(hash);
        if (unknownUntil != null && unknownUntil - System.nanoTime() > 0) {
            return Uni.createFrom().failure(failed(address));
        }
        // a key seen valid here before (its cache entry only expired) is checked again whatever its address did
        long wait = address == null || hit != null ? 0 : failures.waitBeforeLookup(address);
        if (wait > 0) {
            return Uni.createFrom().failure(ProblemException.tooManyRequests("authentication_rate_limited",
                    "too many requests with unknown keys from this address; retry after the time given in Retry-After", wait));
        }
        return context.runBlocking(() -> {
            ApiKey key;
            try {
                lookups.incrementAndGet();
                key = QuarkusTransaction.requiringNew().call(() ->
                        ApiKey.<ApiKey>find("keyHash = ?1 and revokedAt is null", hash).firstResult());
            } catch (RuntimeException e) {
                if (DatabaseOutage.isCause(e)) {
                    throw ProblemException.databaseUnavailable(); // a 503, never a 401 for a key we could not check
                }
                throw e;
            }
            if (key == null) {
                cache.remove(hash);
                if (unknown.size() >= CACHE_LIMIT) {
                    unknown.clear();
                }
                unknown.put(hash, System.nanoTime() + failures.unknownKeyCache().toNanos());
                throw failed(address);
            }
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            Cached entry = new Cached(new Caller(key.id, key.tenantId, key.name, key.rateLimitPerSecond), key.roleSet(),
                    System.nanoTime() + CACHE_TIME.toNanos());
            cache.put(hash, entry);
            return identity(entry);
        });
    }

    private AuthenticationFailedException failed(String address) {
        if (address != null) {
            failures.failed(address);
        }
        return new AuthenticationFailedException("unknown or revoked key");
    }

    /** Forgets a key at once (after it was revoked through this gateway). */
    public void evict(UUID keyId) {
        cache.values().removeIf(c -> c.caller.keyId().equals(keyId));
    }

    private static SecurityIdentity identity(Cached entry) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder().setPrincipal(entry.caller);
        builder.addRoles(effectiveRoles(entry.roles, entry.caller.tenantId()));
        return builder.build();
    }

    /**
     * The roles a key acts with: admin and moderator only on keys of the operator's tenant (a key of another
     * tenant that holds them, from before they were refused there, gets nothing from them); admin implies
     * every other role, moderator implies reviewer.
     */
    static Set<String> effectiveRoles(Set<String> roles, UUID tenantId) {
        Set<String> effective = new java.util.HashSet<>(roles);
        if (!Tenant.DEFAULT_ID.equals(tenantId)) {
            effective.removeAll(Roles.OPERATOR_ONLY);
        }
        if (effective.contains(Roles.ADMIN)) {
            effective.addAll(Set.of(Roles.CLIENT, Roles.REVIEWER, Roles.MODERATOR));
        }
        if (effective.contains(Roles.MODERATOR)) {
            effective.add(Roles.REVIEWER);
        }
        return effective;
    }
}
