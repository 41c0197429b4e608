package dev.genq.moderation.provenance;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "genq.provenance")
public interface ProvenanceSettings {
    /** The deployment's name in every manifest and XMP packet. */
    @WithDefault("genq")
    String issuer();

    /** Where a holder of the image can check it: the gateway's public verify endpoint. */
    @WithDefault("http://127.0.0.1:8080/v1/provenance/verify")
    String verifyUrl();

    /**
     * Key-encryption keys for the provenance private key stored in Postgres, {@code id:base64} of 32 random bytes: the
     * first seals, all open; required (moderation does not start without one). Give them to moderation only.
     */
    Optional<List<String>> sealingKeys();
}
