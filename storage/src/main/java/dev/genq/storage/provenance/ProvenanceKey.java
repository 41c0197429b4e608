package dev.genq.storage.provenance;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.Generated;

/**
 * One of the deployment's Ed25519 provenance keys (V27, V33): moderation signs with the newest it can open, the
 * gateway publishes every public key and verifies with the one a manifest names ({@code kid}), so an old image still
 * verifies after a new key is made. The private part is stored sealed; only moderation holds the key that opens it.
 */
@Entity
@Table(name = "provenance_keys")
public class ProvenanceKey extends PanacheEntityBase {

    @Id
    public String kid;

    /** X.509 SubjectPublicKeyInfo. */
    @Column(name = "public_key", nullable = false)
    public byte[] publicKey;

    /** PKCS#8 in the clear: only rows from before V33, until moderation's next start retires them (erases it). */
    @Column(name = "private_key")
    public byte[] privateKey;

    /** PKCS#8 sealed by moderation under {@code genq.provenance.sealing-keys}, the key id bound in; null once retired. */
    @Column(name = "sealed_private_key")
    public String sealedPrivateKey;

    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    /** Every key with its private part, newest first (moderation signs with the newest it can open). */
    public static List<ProvenanceKey> newestFirst() {
        return ProvenanceKey.<ProvenanceKey>find("order by createdAt desc, kid").list();
    }

    /** A key's id: names the public key in every manifest it signs. */
    public static String kidOf(byte[] spki) {
        return "ed25519-" + dev.genq.storage.job.Sha256.hex(spki).substring(0, 16);
    }

    /** A published key: no private part (the gateway, which faces the internet, never loads one). */
    public record Published(String kid, byte[] publicKey, OffsetDateTime createdAt) {
        public PublicKey key() {
            try {
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(publicKey));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Every key's public part, oldest first (a projection: the private column is not read). */
    public static List<Published> published() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = getEntityManager().createNativeQuery(
                "select kid, public_key, created_at from provenance_keys order by created_at, kid").getResultList();
        return rows.stream().map(r -> new Published((String) r[0], (byte[]) r[1], r[2] instanceof OffsetDateTime t ? t
                : r[2] instanceof java.time.Instant i ? i.atOffset(java.time.ZoneOffset.UTC)
                : ((java.sql.Timestamp) r[2]).toInstant().atOffset(java.time.ZoneOffset.UTC))).toList();
    }

    /** The public key a manifest names, if it is one of this deployment's. */
    public static java.util.Optional<PublicKey> publicKey(String kid) {
        @SuppressWarnings("unchecked")
        List<byte[]> spki = getEntityManager().createNativeQuery("select public_key from provenance_keys where kid = ?1")
                .setParameter(1, kid).getResultList();
        return spki.stream().findFirst().map(bytes -> new Published(kid, bytes, null).key());
    }
}
