package dev.genq.gateway.admin;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/admin/tenants/{id}/keys}. */
@Schema(name = "KeyRequest")
public record KeyRequest(
        @Schema(required = true, maxLength = 100, examples = "production backend") String name,
        @Schema(required = true, enumeration = {"client", "reviewer", "moderator", "admin"}) List<String> roles,
        @Schema(description = "token-bucket rate for this key; omitted: the gateway default") Double rateLimitPerSecond) {
}
