package dev.genq.moderation.review;

import dev.genq.api.auth.Caller;
import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The review queue API: reviewer keys see their tenant's items, moderator (and admin) keys every tenant's. */
@Path("/v1/reviews")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEWER)
@Tag(name = "reviews")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "the key has neither the reviewer nor the admin role",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ReviewResource {
    private final ReviewQueue queue;
    private final ReviewerScope scope;

    public ReviewResource(ReviewQueue queue, ReviewerScope scope) {
        this.queue = queue;
        this.scope = scope;
    }

    private Caller caller() {
        return scope.caller();
    }

    private boolean allTenants() {
        return scope.allTenants();
    }

    @GET
    @Transactional
    @Operation(summary = "Pending review items", description = "Oldest first; 'concept' filters to items flagged for it.")
    public Map<String, List<ReviewView>> pending(@QueryParam("concept") String concept,
                                                 @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 200) {
            throw ProblemException.badRequest("limit_out_of_range", "'limit' must be between 1 and 200");
        }
        return Map.of("data", queue.pending(caller(), allTenants(), concept, limit).stream().map(i -> queue.view(i, false)).toList());
    }

    @GET
    @Path("{id}")
    @Transactional
    @Operation(summary = "A review item with its full history")
    @APIResponse(responseCode = "404", description = "no such item for this reviewer",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReviewView get(@PathParam("id") String id) {
        return queue.view(queue.get(caller(), allTenants(), id), true);
    }

    @POST
    @Path("{id}/claim")
    @Transactional
    @Operation(summary = "Claim an item", description = "Holds it for this key for genq.review.claim-duration (10 min).")
    @APIResponse(responseCode = "409", description = "another reviewer holds it (review_claimed), or it is decided (review_decided)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReviewView claim(@PathParam("id") String id) {
        return queue.view(queue.claim(caller(), allTenants(), id), true);
    }

    @POST
    @Path("{id}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Operation(summary = "Approve or reject", description = "approve releases the sample; reject deletes it. The job "
            + "settles (succeeded or rejected) once all its items are decided.")
    @APIResponse(responseCode = "409", description = "another reviewer holds it, or it is decided",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReviewView decide(@PathParam("id") String id, DecisionRequest request) {
        return queue.view(queue.decide(caller(), allTenants(), id, request), true);
    }
}
