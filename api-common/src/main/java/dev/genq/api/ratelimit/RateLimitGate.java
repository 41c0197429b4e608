package dev.genq.api.ratelimit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.api.auth.ApiKeyAuthenticationMechanism;
import dev.genq.api.auth.ApiKeyIdentityProvider;
import dev.genq.api.problem.Problem;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refuses a request of a key that is over its rate before authentication, routing and the body: a client
 * re-sending refused requests in a loop (thousands a second) then costs a hash and two map lookups each
 * instead of the whole request pipeline, and the other tenants' requests stop queueing behind them
 * (bench/abuse). It answers only for a key this service saw valid within the identity cache time whose
 * bucket is empty now, the decision {@link RateLimitFilter} would make later (no token is taken);
 * everything else goes on to authentication and that filter.
 */
@ApplicationScoped
public class RateLimitGate {
    /** Just before Quarkus's authentication (priority 200; a higher priority runs earlier). */
    static final int PRIORITY = 210;

    private final ApiKeyIdentityProvider identities;
    private final RateLimiter limiter;
    private final ObjectMapper json;
    private final AtomicLong refused = new AtomicLong();

    public RateLimitGate(ApiKeyIdentityProvider identities, RateLimiter limiter, ObjectMapper json) {
        this.identities = identities;
        this.limiter = limiter;
        this.json = json;
    }

    void install(@Observes Filters filters) {
        filters.register(this::gate, PRIORITY);
    }

    /** Requests refused here so far (what the gate saves is visible in tests and benchmarks). */
    public long refused() {
        return refused.get();
    }

    private void gate(RoutingContext context) {
        String raw = context.normalizedPath().startsWith("/v1/")
                ? ApiKeyAuthenticationMechanism.bearerToken(context.request().getHeader("Authorization")) : null;
        long wait = raw == null ? 0 : identities.knownCaller(raw).map(limiter::peek).orElse(0L);
        if (wait == 0) {
            context.next();
            return;
        }
        refused.incrementAndGet();
        String body;
        try {
            body = json.writeValueAsString(RateLimitFilter.overRate(wait));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        context.response().setStatusCode(429).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Retry-After", Long.toString(wait)).end(body);
    }
}
