package dev.genq.gateway.provenance;

import dev.genq.storage.provenance.ProvenanceKey;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The deployment's public provenance keys, for anyone: with them a third party checks a PNG's signed manifest
 * offline (README: Provenance), no API key needed.
 */
@Path("/.well-known/genq-provenance")
@PermitAll
@Tag(name = "provenance")
public class ProvenanceKeysResource {

    public record Keys(String algorithm, String signatureChunk, String manifestChunk, List<Key> keys) {
    }

    /** {@code publicKey}: base64 X.509 SubjectPublicKeyInfo. */
    public record Key(String kid, String publicKey, OffsetDateTime createdAt) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Public keys that sign released images' manifests")
    public Keys keys() {
        List<Key> keys = QuarkusTransaction.requiringNew().call(() -> ProvenanceKey.published().stream()
                .map(k -> new Key(k.kid(), Base64.getEncoder().encodeToString(k.publicKey()), k.createdAt())).toList());
        return new Keys("Ed25519", "genq-signature", "genq", keys);
    }
}
