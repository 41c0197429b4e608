package dev.genq.moderation.provenance;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "genq.provenance")
public interface ProvenanceSettings {
    /** The deployment's name in every manifest and XMP packet. */
    @WithDefault("genq")
    String issuer();

    /** Where a holder of the image can check it: the gateway's public verify endpoint. */
    @WithDefault("http://127.0.0.1:8080/v1/provenance/verify")
    String verifyUrl();
}
