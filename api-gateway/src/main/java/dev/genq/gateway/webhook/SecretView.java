package dev.genq.gateway.webhook;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * The tenant's signing secrets: {@code secret} signs every delivery; {@code previous} ones (after a
 * rotation) keep signing until their {@code expires_at}, so a receiver can switch without a gap.
 */
public record SecretView(String secret, OffsetDateTime createdAt, List<Previous> previous) {
    public record Previous(String secret, OffsetDateTime expiresAt) {
    }
}
