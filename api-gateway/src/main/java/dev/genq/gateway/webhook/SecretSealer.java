package dev.genq.gateway.webhook;

import dev.genq.storage.sealing.Sealer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Seals webhook signing secrets for the database ({@link Sealer}) under {@code genq.webhooks.secret-keys}, so a database
 * dump or backup does not let anyone forge a tenant's webhooks. The tenant id is bound in: a sealed secret copied to
 * another tenant's row does not open.
 */
public final class SecretSealer {
    static final String PREFIX = Sealer.PREFIX;
    static final String SETTING = "genq.webhooks.secret-keys";

    private final Sealer sealer;

    private SecretSealer(Sealer sealer) {
        this.sealer = sealer;
    }

    public static SecretSealer of(List<String> entries) {
        return of(entries, false);
    }

    /** @see Sealer#of */
    public static SecretSealer of(List<String> entries, boolean allowExampleKey) {
        return new SecretSealer(Sealer.of(SETTING, entries, allowExampleKey));
    }

    public String seal(UUID tenantId, String secret) {
        return sealer.seal(context(tenantId), secret.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalStateException for a value not sealed here, under an unknown key, or for another tenant */
    public String open(UUID tenantId, String stored) {
        return new String(sealer.open(context(tenantId), stored), StandardCharsets.UTF_8);
    }

    /** Whether a stored value should be sealed again: plain text from before sealing, or under an older key. */
    public boolean needsResealing(String stored) {
        return sealer.needsResealing(stored);
    }

    /** How every value sealed under the current key begins. */
    String currentPrefix() {
        return sealer.currentPrefix();
    }

    /** The associated data (unchanged since secrets were first sealed: rows sealed then still open). */
    private static String context(UUID tenantId) {
        return "genq webhook secret " + tenantId;
    }
}
