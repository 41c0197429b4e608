package dev.genq.api.ratelimit;

import dev.genq.api.problem.Problem;
import dev.genq.api.auth.Caller;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Applies {@link RateLimiter} to every API request made with a valid key; 429 + Retry-After when over. */
public class RateLimitFilter {
    private final CurrentIdentityAssociation identity;
    private final RateLimiter limiter;

    public RateLimitFilter(CurrentIdentityAssociation identity, RateLimiter limiter) {
        this.identity = identity;
        this.limiter = limiter;
    }

    /** The answer to a key over its rate (also {@link RateLimitGate}'s). */
    static Problem overRate(long waitSeconds) {
        return Problem.of(429, "rate_limited", "Too many requests",
                "this API key is over its request rate; retry after " + waitSeconds + " s");
    }

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION + 100)
    public Uni<Response> limit() {
        return identity.getDeferredIdentity().map(id -> {
            if (!(id.getPrincipal() instanceof Caller caller)) {
                return null; // anonymous or no key: the endpoint's role check answers
            }
            long wait = limiter.acquire(caller);
            if (wait == 0) {
                return null;
            }
            return Response.status(429).type(Problem.MEDIA_TYPE).header("Retry-After", Long.toString(wait))
                    .entity(overRate(wait)).build();
        }).onFailure().recoverWithNull(); // a bad key: the role check answers 401
    }
}
