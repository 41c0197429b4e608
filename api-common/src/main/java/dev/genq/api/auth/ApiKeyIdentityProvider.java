package dev.genq.api.auth;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.outage.DatabaseOutage;
import dev.genq.storage.tenant.ApiKey;
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

/**
 * Turns a raw API key into an identity: one indexed lookup of its SHA-256, cached for a few seconds
 * so a busy client does not cost a query per request. A revoked key stops working on this gateway at
 * once and on others within the cache time.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    static final Duration CACHE_TIME = Duration.ofSeconds(10);
    private static final int CACHE_LIMIT = 10_000;

    private record Cached(Caller caller, Set<String> roles, long expiresAtNanos) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

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
        return context.runBlocking(() -> {
            ApiKey key;
            try {
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
                throw new AuthenticationFailedException("unknown or revoked key");
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

    /** Forgets a key at once (after it was revoked through this gateway). */
    public void evict(UUID keyId) {
        cache.values().removeIf(c -> c.caller.keyId().equals(keyId));
    }

    private static SecurityIdentity identity(Cached entry) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder().setPrincipal(entry.caller);
        builder.addRoles(entry.roles);
        if (entry.roles.contains(Roles.ADMIN)) {
            builder.addRoles(Set.of(Roles.CLIENT, Roles.REVIEWER));
        }
        return builder.build();
    }
}
