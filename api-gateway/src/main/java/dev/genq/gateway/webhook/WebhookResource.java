package dev.genq.gateway.webhook;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.api.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The calling tenant's webhook secret, its rotation, and re-enabling an endpoint. */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CLIENT)
@Tag(name = "webhooks")
@SecurityRequirement(name = "apiKey")
public class WebhookResource {
    private final WebhookSecrets secrets;
    private final WebhookDeliveries deliveries;
    private final CurrentTenant tenant;

    public WebhookResource(WebhookSecrets secrets, WebhookDeliveries deliveries, CurrentTenant tenant) {
        this.secrets = secrets;
        this.deliveries = deliveries;
        this.tenant = tenant;
    }

    @GET
    @Path("secret")
    @Operation(summary = "The webhook signing secret", description = "Standard Webhooks whsec_ secret; created on first use.")
    public SecretView secret() {
        return view(secrets.live(tenant.id()));
    }

    @POST
    @Path("secret/rotate")
    @Operation(summary = "Rotate the webhook signing secret", description = "The new secret signs at once; the old one "
            + "keeps signing (a second signature in webhook-signature) for the grace period, 24 h by default. At most "
            + "5 secrets (by default) are live at once; past that, 429 secret_rotation_limit until the oldest expires.")
    @APIResponse(responseCode = "429", description = "too many live secrets (secret_rotation_limit); see Retry-After",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SecretView rotate() {
        return view(secrets.rotate(tenant.id()));
    }

    @POST
    @Path("endpoints/enable")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Enable an endpoint again", description = "After it answered 410 Gone, an endpoint gets nothing "
            + "and jobs naming it are refused until it is enabled again.")
    @APIResponse(responseCode = "404", description = "that endpoint is not disabled",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Map<String, String> enable(EnableEndpointRequest request) {
        if (request == null || request.url() == null) {
            throw ProblemException.badRequest("url_required", "'url' is required");
        }
        if (!deliveries.enable(tenant.id(), request.url())) {
            throw ProblemException.notFound("endpoint_not_disabled", "that endpoint is not disabled");
        }
        return Map.of("url", request.url(), "status", "enabled");
    }

    private static SecretView view(List<WebhookSecrets.LiveSecret> live) {
        WebhookSecrets.LiveSecret current = live.get(0);
        return new SecretView(current.secret(), current.createdAt(), live.subList(1, live.size()).stream()
                .map(s -> new SecretView.Previous(s.secret(), s.expiresAt())).toList());
    }
}
