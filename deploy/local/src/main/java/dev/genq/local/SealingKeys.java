package dev.genq.local;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Key-encryption keys: the gateway's {@code genq.webhooks.secret-keys} and moderation's {@code genq.provenance.sealing-keys},
 * which every gateway and every moderator must be given.
 */
public final class SealingKeys {
    private SealingKeys() {
    }

    /** A fresh key for a run whose database lives no longer than the run (tests, benches). */
    public static String forOneRun() {
        return entry("run");
    }

    /** {@code id:base64} of 32 random bytes. */
    static String entry(String id) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return id + ":" + Base64.getEncoder().encodeToString(key);
    }
}
