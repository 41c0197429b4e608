package dev.genq.moderation.provenance;

import dev.genq.storage.provenance.ProvenanceKey;
import dev.genq.storage.sealing.Sealer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The deployment's provenance signing key, kept sealed in Postgres ({@link Sealer} under
 * {@code genq.provenance.sealing-keys}, given to moderation only). Signs with the newest key it can open; with none (a
 * new deployment, or the sealing key lost) it makes one, and the old public keys keep verifying what they signed. A
 * key stored in the clear (before V33) is retired, not sealed: its bytes are in every older dump and backup.
 */
@ApplicationScoped
public class ProvenanceSigningKey {
    static final String SETTING = "genq.provenance.sealing-keys";
    private static final Logger LOG = Logger.getLogger(ProvenanceSigningKey.class);

    private final Sealer sealer;
    private volatile Signer current;

    public ProvenanceSigningKey(ProvenanceSettings settings,
            @ConfigProperty(name = "genq.auth.bootstrap.allow-example-keys", defaultValue = "false") boolean allowExampleKeys) {
        // no key, or compose's public one outside a local machine: moderation does not start
        this.sealer = Sealer.of(SETTING, settings.sealingKeys().orElse(null), allowExampleKeys);
    }

    /** A key that signs: its id (named in every manifest) and its private part, opened. */
    public record Signer(String kid, PrivateKey key) {
    }

    /**
     * At start: seals under the current sealing key what an older one sealed, and retires keys stored in the clear
     * (their private part erased; the public part keeps verifying). A row this moderator cannot open (a sealing key not
     * listed, or a listed id with other bytes) is left as it is and said so.
     */
    void sealAtStart(@Observes StartupEvent start) {
        Counts counts = QuarkusTransaction.requiringNew().call(this::sealAll);
        if (counts.resealed() > 0 || counts.retired() > 0) {
            LOG.infof("provenance keys: %d sealed under the current sealing key, %d stored in the clear retired (a new "
                    + "sealed key signs)", counts.resealed(), counts.retired());
        }
        if (counts.unopenable() > 0) {
            LOG.warnf("provenance keys: %d do not open under %s; they sign nothing here (their public keys keep "
                    + "verifying); a new key is made if no other opens", counts.unopenable(), SETTING);
        }
    }

    record Counts(int resealed, int retired, int unopenable) {
    }

    Counts sealAll() {
        int resealed = 0;
        int retired = 0;
        int unopenable = 0;
        for (ProvenanceKey k : ProvenanceKey.newestFirst()) {
            if (k.privateKey != null) {
                k.privateKey = null;
                retired++;
            } else if (k.sealedPrivateKey == null) {
                continue; // retired earlier
            } else if (sealer.needsResealing(k.sealedPrivateKey)) {
                byte[] opened = open(k);
                if (opened == null) {
                    unopenable++;
                } else {
                    k.sealedPrivateKey = sealer.seal(context(k.kid), opened);
                    resealed++;
                }
            }
        }
        return new Counts(resealed, retired, unopenable);
    }

    /** The key's private part, or null when this moderator cannot open it (not listed, other bytes, a damaged row). */
    private byte[] open(ProvenanceKey k) {
        if (!sealer.holdsKeyOf(k.sealedPrivateKey)) {
            return null;
        }
        try {
            return sealer.open(context(k.kid), k.sealedPrivateKey);
        } catch (RuntimeException e) {
            LOG.warnf("provenance key %s does not open under %s: %s", k.kid, SETTING, e.getMessage());
            return null;
        }
    }

    /** The key to sign with now; read once, then kept. */
    public Signer current() {
        Signer s = current;
        if (s == null) {
            synchronized (this) {
                if (current == null) {
                    current = QuarkusTransaction.requiringNew().call(this::newestOpenableOrNew);
                }
                s = current;
            }
        }
        return s;
    }

    private Signer newestOpenableOrNew() {
        for (ProvenanceKey k : ProvenanceKey.newestFirst()) {
            // a key in the clear (before V33, not retired yet) never signs again; a retired one has no private part
            byte[] opened = k.sealedPrivateKey == null ? null : open(k);
            if (opened != null) {
                return new Signer(k.kid, pkcs8(opened));
            }
        }
        // several moderators starting at once may each make one: every one verifies
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            ProvenanceKey key = new ProvenanceKey();
            key.publicKey = pair.getPublic().getEncoded();
            key.kid = ProvenanceKey.kidOf(key.publicKey);
            key.sealedPrivateKey = sealer.seal(context(key.kid), pair.getPrivate().getEncoded());
            key.persistAndFlush();
            LOG.infof("provenance keys: made %s", key.kid);
            return new Signer(key.kid, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    /** The key id is bound in: a sealed private part copied to another key's row does not open. */
    private static String context(String kid) {
        return "genq provenance key " + kid;
    }

    private static PrivateKey pkcs8(byte[] encoded) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
