package dev.genq.gateway.tenant;

import dev.genq.api.auth.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;

/** The tenant a request acts for: the tenant of its API key. Every tenant-owned query goes through here. */
@RequestScoped
public class CurrentTenant {
    private final SecurityIdentity identity;

    public CurrentTenant(SecurityIdentity identity) {
        this.identity = identity;
    }

    public UUID id() {
        return caller().tenantId();
    }

    public Caller caller() {
        if (identity.getPrincipal() instanceof Caller caller) {
            return caller;
        }
        throw new io.quarkus.security.UnauthorizedException(); // an endpoint without a role check: a bug, but fail closed
    }
}
