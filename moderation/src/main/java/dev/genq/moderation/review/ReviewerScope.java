package dev.genq.moderation.review;

import dev.genq.api.auth.Caller;
import dev.genq.api.auth.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Whose items a reviewing key may see and decide, for samples and uploads alike: a reviewer key its own tenant's,
 * a moderator (and admin) key every tenant's. Only keys of the operator's tenant hold either of those roles.
 */
@ApplicationScoped
public class ReviewerScope {
    private final SecurityIdentity identity;

    public ReviewerScope(SecurityIdentity identity) {
        this.identity = identity;
    }

    public Caller caller() {
        return (Caller) identity.getPrincipal();
    }

    public boolean allTenants() {
        return identity.hasRole(Roles.MODERATOR);
    }

    /** Whether the key may see an item of this tenant. */
    public boolean sees(UUID tenantId) {
        return allTenants() || tenantId.equals(caller().tenantId());
    }
}
