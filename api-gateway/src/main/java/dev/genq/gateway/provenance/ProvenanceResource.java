package dev.genq.gateway.provenance;

import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.gateway.tenant.CurrentTenant;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/provenance")
@Tag(name = "provenance")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
public class ProvenanceResource {
    private final ProvenanceVerifier verifier;
    private final CurrentTenant tenant;
    private final VerifyRateLimit rateLimit;

    public ProvenanceResource(ProvenanceVerifier verifier, CurrentTenant tenant, VerifyRateLimit rateLimit) {
        this.verifier = verifier;
        this.tenant = tenant;
        this.rateLimit = rateLimit;
    }

    @POST
    @Path("verify")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Where did this image come from?", description = "The raw bytes of a PNG, JPEG or WebP (the "
            + "upload limits apply). A PNG this deployment released carries a signed manifest: an exact file is "
            + "'exact' with what the manifest says; a re-encoded or resized copy is matched by its perceptual "
            + "fingerprint ('perceptual', with its distance). The job is named only to the tenant that made it.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ProvenanceCheck.class)))
    @APIResponse(responseCode = "400", description = "not a decodable image (the upload codes: not_an_image, "
            + "image_too_large, image_undecodable, ...) or body_too_large",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "verify_rate_limited: the tenant is over its verifications per "
            + "second (genq.provenance.verify-rate), with Retry-After",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ProvenanceCheck verify(byte[] image) {
        rateLimit.acquire(tenant.id());
        return verifier.verify(tenant.id(), image);
    }
}
