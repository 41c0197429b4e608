package dev.genq.gateway.provenance;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "genq.provenance")
public interface ProvenanceSettings {
    /**
     * The most fingerprint bits (of 176) a copy may differ by and still match a released picture. Measured (README:
     * Provenance): JPEG and 50% copies 0-9; two different grinning-cat samples 23; unrelated pictures about 88.
     */
    @WithDefault("16")
    int maxDistance();

    /** The most recent released pictures a perceptual search compares (a scan; an index is future work). */
    @WithDefault("200000")
    int searchLimit();

    /**
     * Verifications a tenant may run per second, on top of its keys' request rate: one may scan searchLimit
     * fingerprints, a thousand GETs' worth of work, so a key's general rate would let one tenant take the database.
     */
    @WithDefault("2")
    double verifyRate();

    /** Verifications a tenant may save up and spend at once. */
    @WithDefault("20")
    int verifyBurst();
}
