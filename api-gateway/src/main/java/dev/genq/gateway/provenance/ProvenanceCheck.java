package dev.genq.gateway.provenance;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer of {@code POST /v1/provenance/verify}. Tenant data is told only to the tenant that made the image:
 * anyone else learns that this deployment made it (and, for an exact file, what its signed manifest says, which
 * they hold anyway), never whose job it was.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ProvenanceCheck")
public record ProvenanceCheck(
        @Schema(description = "exact (the file carries this deployment's valid signature over its own pixels), "
                + "perceptual (a released picture of this deployment looks the same: re-encoded, resized), or none",
                enumeration = {"exact", "perceptual", "none"}) String match,
        @Schema(description = "this deployment made the picture: proven by a valid signature (exact), or evidence only "
                + "(perceptual: it looks like a picture this deployment released)") boolean madeByThisDeployment,
        @Schema(description = "valid, invalid (a manifest whose signature or image hash does not hold: edited or "
                + "forged), or absent (no genq manifest in the file)", enumeration = {"valid", "invalid", "absent"}) String signature,
        @Schema(description = "perceptual match: differing fingerprint bits (of 176) and the most that still match")
        Integer distance, Integer maxDistance,
        @Schema(description = "what the file's valid signed manifest says") Claimed manifest,
        @Schema(description = "the job that made it: only when it is the caller's tenant's") Origin origin,
        String note) {

    /** From a manifest whose signature holds. */
    public record Claimed(String issuer, String model, String createdAt, String kid) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Origin(UUID jobId, int sample, String modelVersion, long seed, String status) {
    }
}
