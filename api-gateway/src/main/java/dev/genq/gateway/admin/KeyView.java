package dev.genq.gateway.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.genq.storage.tenant.ApiKey;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An API key as listed. {@code key}, the raw secret, is present only in the answer that created it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyView(UUID id, UUID tenantId, String name, String prefix, List<String> roles, Double rateLimitPerSecond,
                      OffsetDateTime createdAt, OffsetDateTime revokedAt,
                      @Schema(description = "shown once, at creation; store it now") String key) {
    static KeyView of(ApiKey k, String raw) {
        return new KeyView(k.id, k.tenantId, k.name, k.prefix, List.copyOf(k.roleSet()), k.rateLimitPerSecond,
                k.createdAt, k.revokedAt, raw);
    }
}
