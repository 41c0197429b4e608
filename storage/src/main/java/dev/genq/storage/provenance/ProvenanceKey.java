package dev.genq.storage.provenance;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.Generated;

/**
 * One of the deployment's Ed25519 provenance keys (V27): moderation signs with the newest, the gateway publishes
 * every public key and verifies with the one a manifest names ({@code kid}), so an old image still verifies after
 * a new key is made.
 */
@Entity
@Table(name = "provenance_keys")
public class ProvenanceKey extends PanacheEntityBase {

    @Id
    public String kid;

    /** X.509 SubjectPublicKeyInfo. */
    @Column(name = "public_key", nullable = false)
    public byte[] publicKey;

    /** PKCS#8; read by moderation only. */
    @Column(name = "private_key", nullable = false)
    public byte[] privateKey;

    @Generated
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    /** The newest key, made now when there is none (several moderators starting at once may each make one: all verify). */
    public static ProvenanceKey newestOrCreate() {
        ProvenanceKey newest = ProvenanceKey.<ProvenanceKey>find("order by createdAt desc, kid").firstResult();
        if (newest != null) {
            return newest;
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            ProvenanceKey key = new ProvenanceKey();
            byte[] spki = pair.getPublic().getEncoded();
            key.kid = "ed25519-" + dev.genq.storage.job.Sha256.hex(spki).substring(0, 16);
            key.publicKey = spki;
            key.privateKey = pair.getPrivate().getEncoded();
            key.persistAndFlush();
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
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

    public PrivateKey privateKey() {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(privateKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
