package dev.genq.gateway.model;

import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What a client may ask for: the models the workers serve, read from the catalog (no query per request). */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ModelResource {
    private final ModelViews views;

    public ModelResource(ModelViews views) {
        this.views = views;
    }

    /** The list's envelope, like the other lists' {@code data}. */
    public record ModelList(List<ModelView> data) {
    }

    @GET
    @Operation(summary = "Models served", description = "Every model a worker registered: its versions (which is stable, "
            + "which a canary and its share), kinds, resolution, samplers, step range, defaults, licence, and the "
            + "measured cost per sample-step.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ModelList.class)))
    public ModelList list() {
        return new ModelList(views.all());
    }

    @GET
    @Path("{name}")
    @Operation(summary = "One model served")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ModelView.class)))
    @APIResponse(responseCode = "404", description = "model_not_found",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ModelView get(@PathParam("name") String name) {
        return views.find(name);
    }
}
