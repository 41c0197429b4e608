package dev.genq.gateway.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tenant a request acts for. Until API keys exist every request belongs to the configured default
 * tenant; every query already goes through here so that tenant isolation needs no rewrite later.
 */
@ApplicationScoped
public class CurrentTenant {
    private final UUID defaultTenant;

    public CurrentTenant(@ConfigProperty(name = "genq.tenancy.default-tenant-id") UUID defaultTenant) {
        this.defaultTenant = defaultTenant;
    }

    public UUID id() {
        return defaultTenant;
    }
}
