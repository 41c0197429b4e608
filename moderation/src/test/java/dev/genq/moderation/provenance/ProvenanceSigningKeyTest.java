package dev.genq.moderation.provenance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.storage.provenance.ProvenanceKey;
import dev.genq.storage.sealing.Sealer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The provenance private key in Postgres is sealed under moderation's {@code genq.provenance.sealing-keys} (test
 * profile: p2 seals, p1 opens), so reading the database does not give anyone the key that signs.
 */
@QuarkusTest
class ProvenanceSigningKeyTest {
    static final String P1 = "p1:dGVzdC1vbmx5LXByb3ZlbmFuY2Utc2VhbGluZy0wMDE=";

    @Inject
    ProvenanceSigningKey signingKey;
    @Inject
    ProvenanceSettings settings;

    @Test
    void theStoredPrivateKeyIsSealedAndWhatItSignsVerifiesWithThePublishedKey() throws Exception {
        ProvenanceSigningKey.Signer signer = signingKey.current();
        Object[] row = row(signer.kid());
        assertNull(row[0], "no private key in the clear");
        String sealed = (String) row[1];
        assertTrue(sealed.startsWith("sealed:v1:p2:"), sealed);
        String pkcs8 = Base64.getUrlEncoder().withoutPadding().encodeToString(signer.key().getEncoded());
        assertFalse(sealed.contains(pkcs8.substring(pkcs8.length() - 20)), "no part of the key in the row");

        byte[] manifest = "{\"job\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(signer.key());
        s.update(manifest);
        byte[] signature = s.sign();
        Signature v = Signature.getInstance("Ed25519");
        v.initVerify(QuarkusTransaction.requiringNew().call(() -> ProvenanceKey.publicKey(signer.kid())).orElseThrow());
        v.update(manifest);
        assertTrue(v.verify(signature), "the published public key verifies what the sealed key signs");
    }

    @Test
    void aKeyInTheClearIsRetiredAndOneUnderAnOlderSealingKeyIsSealedUnderTheCurrentOneAndSigns() throws Exception {
        signingKey.current(); // the service's own signer is chosen before this test's rows exist
        KeyPair legacy = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair older = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String legacyKid = ProvenanceKey.kidOf(legacy.getPublic().getEncoded());
        String olderKid = ProvenanceKey.kidOf(older.getPublic().getEncoded());
        Sealer p1Only = Sealer.of("test", List.of(P1), false);
        try {
            // the newest row is from before V33, in the clear (so in every older dump): it must never sign again
            insert(legacyKid, legacy, legacy.getPrivate().getEncoded(), null, "2 days");
            insert(olderKid, older, null, p1Only.seal("genq provenance key " + olderKid, older.getPrivate().getEncoded()), "1 day");

            ProvenanceSigningKey.Counts counts = QuarkusTransaction.requiringNew().call(signingKey::sealAll);
            assertTrue(counts.retired() >= 1 && counts.resealed() >= 1, "retired and sealed again: " + counts);
            Object[] retired = row(legacyKid);
            assertNull(retired[0], "the clear bytes are erased");
            assertNull(retired[1], "and nothing took their place: the key is retired");
            assertTrue(QuarkusTransaction.requiringNew().call(() -> ProvenanceKey.publicKey(legacyKid)).isPresent(),
                    "its public key still verifies what it signed");
            Object[] resealed = row(olderKid);
            assertNull(resealed[0]);
            assertTrue(((String) resealed[1]).startsWith("sealed:v1:p2:"), resealed[1].toString());
            assertEquals(new ProvenanceSigningKey.Counts(0, 0, 0), QuarkusTransaction.requiringNew().call(signingKey::sealAll),
                    "a second start changes nothing");

            ProvenanceSigningKey.Signer fresh = new ProvenanceSigningKey(settings, false).current();
            assertEquals(olderKid, fresh.kid(), "the newest key that opens signs");
            assertArrayEquals(older.getPrivate().getEncoded(), fresh.key().getEncoded(), "the same key, opened");
        } finally {
            delete(legacyKid, olderKid);
        }
    }

    @Test
    void aKeySealedUnderAKeyNotListedIsLeftAsItIsAndSignsNothing() throws Exception {
        signingKey.current(); // the service's own signer is chosen before this test's rows exist
        KeyPair lost = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String lostKid = ProvenanceKey.kidOf(lost.getPublic().getEncoded());
        byte[] otherKey = new byte[32];
        new java.security.SecureRandom().nextBytes(otherKey);
        Sealer other = Sealer.of("test", List.of("p9:" + Base64.getEncoder().encodeToString(otherKey)), false);
        String sealed = other.seal("genq provenance key " + lostKid, lost.getPrivate().getEncoded());
        try {
            insert(lostKid, lost, null, sealed, "3 days");
            ProvenanceSigningKey.Counts counts = QuarkusTransaction.requiringNew().call(signingKey::sealAll);
            assertTrue(counts.unopenable() >= 1, "reported as not openable here: " + counts);
            assertEquals(sealed, row(lostKid)[1], "left as it is");

            Sealer p9Only = Sealer.of("test", List.of("p9:" + Base64.getEncoder().encodeToString(otherKey)), false);
            assertThrows(IllegalStateException.class, () -> Sealer.of("test", List.of(P1), false).open("genq provenance key " + lostKid, sealed));
            assertArrayEquals(lost.getPrivate().getEncoded(), p9Only.open("genq provenance key " + lostKid, sealed));
            assertThrows(IllegalStateException.class, () -> p9Only.open("genq provenance key ed25519-another", sealed),
                    "bound to its key id: copied to another row it does not open");

            ProvenanceSigningKey.Signer fresh = new ProvenanceSigningKey(settings, false).current();
            assertNotEquals(lostKid, fresh.kid(), "a key it cannot open does not sign: an older one it opens, or a new one");
            assertTrue(QuarkusTransaction.requiringNew().call(() -> ProvenanceKey.publicKey(fresh.kid())).isPresent());
        } finally {
            delete(lostKid);
        }
    }

    @Test
    void aKeySealedUnderTheSameIdWithOtherBytesDoesNotStopSigning() throws Exception {
        signingKey.current();
        KeyPair replaced = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String kid = ProvenanceKey.kidOf(replaced.getPublic().getEncoded());
        byte[] otherBytes = new byte[32];
        new java.security.SecureRandom().nextBytes(otherBytes);
        // the sealing key file deleted and made again: the same id "p2", other bytes
        String sealed = Sealer.of("test", List.of("p2:" + Base64.getEncoder().encodeToString(otherBytes)), false)
                .seal("genq provenance key " + kid, replaced.getPrivate().getEncoded());
        try {
            insert(kid, replaced, null, sealed, "4 days");
            assertEquals(0, QuarkusTransaction.requiringNew().call(signingKey::sealAll).resealed(), "moderation still starts");
            ProvenanceSigningKey.Signer fresh = new ProvenanceSigningKey(settings, false).current();
            assertNotEquals(kid, fresh.kid(), "it signs with a key it opens");
        } finally {
            delete(kid);
        }
    }

    @Test
    void moderationDoesNotStartWithoutASealingKeyOrWithComposesPublicOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProvenanceSigningKey(sealingKeys(java.util.Optional.empty()), false));
        assertTrue(e.getMessage().contains("genq.provenance.sealing-keys"), e.getMessage());
        ProvenanceSettings example = sealingKeys(java.util.Optional.of(List.of("not-for-production:Z2VucS1jb21wb3NlLWV4YW1wbGUtcHJvdmVuYW5jZSE=")));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ProvenanceSigningKey(example, false));
        assertTrue(refused.getMessage().contains("allow-example-keys"), refused.getMessage());
    }

    /** The test profile's settings with other sealing keys. */
    private ProvenanceSettings sealingKeys(java.util.Optional<List<String>> keys) {
        return new ProvenanceSettings() {
            public String issuer() {
                return settings.issuer();
            }

            public String verifyUrl() {
                return settings.verifyUrl();
            }

            public java.util.Optional<List<String>> sealingKeys() {
                return keys;
            }
        };
    }

    private static Object[] row(String kid) {
        return QuarkusTransaction.requiringNew().call(() -> (Object[]) ProvenanceKey.getEntityManager().createNativeQuery(
                "select private_key, sealed_private_key from provenance_keys where kid = ?1").setParameter(1, kid).getSingleResult());
    }

    private static void insert(String kid, KeyPair pair, byte[] clear, String sealed, String ahead) {
        QuarkusTransaction.requiringNew().run(() -> ProvenanceKey.getEntityManager().createNativeQuery("""
                insert into provenance_keys (kid, public_key, private_key, sealed_private_key, created_at)
                values (?1, ?2, cast(?3 as bytea), cast(?4 as text), now() + cast(?5 as interval))""")
                .setParameter(1, kid).setParameter(2, pair.getPublic().getEncoded()).setParameter(3, clear)
                .setParameter(4, sealed).setParameter(5, ahead).executeUpdate());
    }

    private static void delete(String... kids) {
        for (String kid : kids) {
            QuarkusTransaction.requiringNew().run(() -> ProvenanceKey.getEntityManager()
                    .createNativeQuery("delete from provenance_keys where kid = ?1").setParameter(1, kid).executeUpdate());
        }
    }
}
