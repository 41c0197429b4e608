package dev.genq.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SecretSealerTest {
    static final String K1 = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);
    static final String K2 = "k2:" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    static final UUID TENANT = UUID.randomUUID();

    @Test
    void aSealedSecretOpensOnlyForItsTenantAndHidesTheSecret() {
        SecretSealer sealer = SecretSealer.of(List.of(K1));
        String secret = WebhookSigner.newSecret();
        String sealed = sealer.seal(TENANT, secret);
        assertTrue(sealed.startsWith("sealed:v1:k1:"), sealed);
        assertFalse(sealed.contains(secret.substring("whsec_".length(), 20)), "no part of the secret in the row");
        assertNotEquals(sealed, sealer.seal(TENANT, secret), "a fresh nonce each time");
        assertEquals(secret, sealer.open(TENANT, sealed));
        assertThrows(IllegalStateException.class, () -> sealer.open(UUID.randomUUID(), sealed), "copied to another tenant");
        char last = sealed.charAt(sealed.length() - 1);
        String tampered = sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThrows(IllegalStateException.class, () -> sealer.open(TENANT, tampered));
    }

    @Test
    void theFirstKeySealsAndEveryListedKeyOpens() {
        String underK1 = SecretSealer.of(List.of(K1)).seal(TENANT, "whsec_old");
        SecretSealer rotated = SecretSealer.of(List.of(K2, K1));
        assertEquals("whsec_old", rotated.open(TENANT, underK1));
        assertTrue(rotated.needsResealing(underK1));
        assertTrue(rotated.needsResealing("whsec_plain"));
        String underK2 = rotated.seal(TENANT, "whsec_old");
        assertTrue(underK2.startsWith("sealed:v1:k2:"));
        assertFalse(rotated.needsResealing(underK2));
        IllegalStateException unknown = assertThrows(IllegalStateException.class,
                () -> SecretSealer.of(List.of(K1)).open(TENANT, underK2));
        assertTrue(unknown.getMessage().contains("'k2'"), unknown.getMessage());
    }

    @Test
    void badConfigurationIsRefusedWithTheSettingNamed() {
        for (List<String> bad : List.of(List.<String>of(), List.of("k1"), List.of("K1:" + K1.substring(3)),
                List.of("k1:not base64!"), List.of("k1:" + Base64.getEncoder().encodeToString(new byte[16])), List.of(K1, K1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretSealer.of(bad), bad.toString());
            assertTrue(e.getMessage().contains("genq.webhooks.secret-keys"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SecretSealer.of(null));
    }

    @Test
    void composesPublicExampleKeyIsRefusedUnlessExampleKeysAreAllowed() {
        String example = "not-for-production:Z2VucS1jb21wb3NlLWV4YW1wbGUtc2VhbGluZy1rZXk="; // as in docker-compose.yml
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretSealer.of(List.of(example), false));
        assertTrue(e.getMessage().contains("allow-example-keys"), e.getMessage());
        assertEquals("whsec_x", SecretSealer.of(List.of(example), true).open(TENANT, SecretSealer.of(List.of(example), true).seal(TENANT, "whsec_x")));
    }
}
