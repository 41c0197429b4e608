package dev.genq.gateway.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals webhook signing secrets for the database with AES-256-GCM under a key-encryption key from
 * configuration ({@code genq.webhooks.secret-keys}: {@code id:base64} entries, the first seals, all open),
 * so a database dump or backup does not let anyone forge a tenant's webhooks. The tenant id is bound in
 * as associated data: a sealed secret copied to another tenant's row does not open.
 * Stored form: {@code sealed:v1:<key id>:<base64url(12-byte nonce | ciphertext | tag)>}.
 */
public final class SecretSealer {
    static final String PREFIX = "sealed:v1:";
    /** The id of docker-compose.yml's public default key, refused outside a local machine. */
    static final String EXAMPLE_KEY_ID = "not-for-production";
    private static final Pattern KEY_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String currentId;
    private final Map<String, SecretKey> keys;

    private SecretSealer(String currentId, Map<String, SecretKey> keys) {
        this.currentId = currentId;
        this.keys = keys;
    }

    public static SecretSealer of(List<String> entries) {
        return of(entries, false);
    }

    /**
     * Parses the configured keys; refuses (with a message naming the setting) anything but 32-byte keys with
     * unique ids, and compose's public example key unless {@code allowExampleKey}.
     */
    public static SecretSealer of(List<String> entries, boolean allowExampleKey) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("genq.webhooks.secret-keys is not set: give at least one id:base64 "
                    + "entry of 32 random bytes (e.g. k1:$(head -c 32 /dev/urandom | base64)); the first seals webhook secrets");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).strip();
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("genq.webhooks.secret-keys: each entry is id:base64 with an id of "
                        + "1-32 lower-case letters, digits or '-'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("genq.webhooks.secret-keys: key '" + id + "' is not base64");
            }
            if (key.length != 32) {
                throw new IllegalArgumentException("genq.webhooks.secret-keys: key '" + id + "' is " + key.length
                        + " bytes; it must be 32 (AES-256)");
            }
            if (id.equals(EXAMPLE_KEY_ID) && !allowExampleKey) {
                throw new IllegalArgumentException("genq.webhooks.secret-keys holds compose's public example key ("
                        + EXAMPLE_KEY_ID + "); set your own, or genq.auth.bootstrap.allow-example-keys=true on a "
                        + "machine nobody else can reach");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException("genq.webhooks.secret-keys: key id '" + id + "' appears twice");
            }
        }
        return new SecretSealer(keys.keySet().iterator().next(), keys);
    }

    public String seal(UUID tenantId, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, tenantId, secret.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[NONCE_BYTES + sealed.length];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
        return PREFIX + currentId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** @throws IllegalStateException for a value not sealed here, under an unknown key, or for another tenant */
    public String open(UUID tenantId, String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw new IllegalStateException("a webhook secret is not sealed (it is sealed at start; is this gateway older?)");
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        SecretKey key = colon < 0 ? null : keys.get(rest.substring(0, colon));
        if (key == null) {
            throw new IllegalStateException("a webhook secret is sealed under key '" + (colon < 0 ? "?" : rest.substring(0, colon))
                    + "', which genq.webhooks.secret-keys does not list");
        }
        byte[] in = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
        byte[] nonce = java.util.Arrays.copyOf(in, NONCE_BYTES);
        byte[] body = java.util.Arrays.copyOfRange(in, NONCE_BYTES, in.length);
        return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, tenantId, body), StandardCharsets.UTF_8);
    }

    /** Whether a stored value should be sealed again: plain text from before sealing, or under an older key. */
    public boolean needsResealing(String stored) {
        return !stored.startsWith(currentPrefix());
    }

    /** How every value sealed under the current key begins. */
    String currentPrefix() {
        return PREFIX + currentId + ":";
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, UUID tenantId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(("genq webhook secret " + tenantId).getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a webhook secret does not open: wrong key or tampered row", e);
        }
    }
}
