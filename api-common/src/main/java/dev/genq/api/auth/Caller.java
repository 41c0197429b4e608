package dev.genq.api.auth;

import java.security.Principal;
import java.util.UUID;

/** Who is calling: the API key (never its raw value) and the tenant it belongs to. */
public record Caller(UUID keyId, UUID tenantId, String keyName, Double rateLimitPerSecond) implements Principal {
    @Override
    public String getName() {
        return keyId.toString();
    }
}
