package dev.genq.storage.sealing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a secret a service must get back (a webhook signing secret, the provenance private key) for the database with
 * AES-256-GCM under key-encryption keys from one setting ({@code id:base64} entries: the first seals, all open), so a
 * dump or backup of the database, or a service not given the setting, cannot use it. The caller binds in what the
 * secret belongs to as associated data (a tenant, a key id): a sealed value copied to another row does not open.
 * Stored form: {@code sealed:v1:<key id>:<base64url(12-byte nonce | ciphertext | tag)>}.
 */
public final class Sealer {
    public static final String PREFIX = "sealed:v1:";
    /** The id of docker-compose.yml's public default keys, refused outside a local machine. */
    public static final String EXAMPLE_KEY_ID = "not-for-production";
    private static final Pattern KEY_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String setting;
    private final String currentId;
    private final Map<String, SecretKey> keys;

    private Sealer(String setting, String currentId, Map<String, SecretKey> keys) {
        this.setting = setting;
        this.currentId = currentId;
        this.keys = keys;
    }

    /**
     * Parses the keys configured in {@code setting}; refuses (with a message naming the setting) anything but 32-byte
     * keys with unique ids, and compose's public example key unless {@code allowExampleKey}.
     */
    public static Sealer of(String setting, List<String> entries, boolean allowExampleKey) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException(setting + " is not set: give at least one id:base64 entry of 32 random bytes "
                    + "(e.g. k1:$(head -c 32 /dev/urandom | base64)); the first seals, every one listed opens");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon).strip();
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(setting + ": each entry is id:base64 with an id of 1-32 lower-case letters, digits or '-'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": key '" + id + "' is not base64");
            }
            if (key.length != 32) {
                throw new IllegalArgumentException(setting + ": key '" + id + "' is " + key.length + " bytes; it must be 32 (AES-256)");
            }
            if (id.equals(EXAMPLE_KEY_ID) && !allowExampleKey) {
                throw new IllegalArgumentException(setting + " holds compose's public example key (" + EXAMPLE_KEY_ID + "); set your "
                        + "own, or genq.auth.bootstrap.allow-example-keys=true on a machine nobody else can reach");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException(setting + ": key id '" + id + "' appears twice");
            }
        }
        return new Sealer(setting, keys.keySet().iterator().next(), keys);
    }

    /** Seals {@code secret} under the current key, bound to {@code context}. */
    public String seal(String context, byte[] secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.get(currentId), nonce, context, secret);
        byte[] out = new byte[NONCE_BYTES + sealed.length];
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
        return currentPrefix() + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** @throws IllegalStateException for a value not sealed, under a key not listed, bound to another context, or tampered */
    public byte[] open(String context, String stored) {
        if (!isSealed(stored)) {
            throw new IllegalStateException("a value that should be sealed is not (values are sealed at start; is this service older?)");
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        SecretKey key = colon < 0 ? null : keys.get(rest.substring(0, colon));
        if (key == null) {
            throw new IllegalStateException("a value is sealed under key '" + (colon < 0 ? "?" : rest.substring(0, colon))
                    + "', which " + setting + " does not list");
        }
        byte[] in = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
        return crypt(Cipher.DECRYPT_MODE, key, Arrays.copyOf(in, NONCE_BYTES), context, Arrays.copyOfRange(in, NONCE_BYTES, in.length));
    }

    public static boolean isSealed(String stored) {
        return stored.startsWith(PREFIX);
    }

    /** Whether a sealed value names a key this sealer holds (whether {@link #open} can try it). */
    public boolean holdsKeyOf(String stored) {
        if (!isSealed(stored)) {
            return false;
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        return colon > 0 && keys.containsKey(rest.substring(0, colon));
    }

    /** Whether a stored value should be sealed again: plain text from before sealing, or under an older key. */
    public boolean needsResealing(String stored) {
        return !stored.startsWith(currentPrefix());
    }

    /** How every value sealed under the current key begins. */
    public String currentPrefix() {
        return PREFIX + currentId + ":";
    }

    private byte[] crypt(int mode, SecretKey key, byte[] nonce, String context, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed value does not open under " + setting + ": wrong key or tampered row", e);
        }
    }
}
