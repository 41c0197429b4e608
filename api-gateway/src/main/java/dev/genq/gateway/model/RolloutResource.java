package dev.genq.gateway.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.Problem.FieldError;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelRollout;
import dev.genq.storage.model.Rollouts;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The operator's rollout controls: which version of a model new jobs get, changed without a restart (every
 * gateway follows within two seconds), each change recorded with the key that made it and why.
 */
@Path("/v1/admin/models/{name}/rollout")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@Tag(name = "admin")
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "404", description = "model_not_found",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class RolloutResource {
    static final int HISTORY = 100;
    static final int MAX_REASON_CHARS = 500;

    private final Rollouts rollouts;
    private final ModelCatalog catalog;
    private final CurrentTenant caller;
    private final ObjectMapper json;

    public RolloutResource(Rollouts rollouts, ModelCatalog catalog, CurrentTenant caller, ObjectMapper json) {
        this.json = json;
        this.rollouts = rollouts;
        this.catalog = catalog;
        this.caller = caller;
    }

    @GET
    @Transactional
    @Operation(summary = "A model's rollout and its last 100 changes")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    public RolloutView get(@PathParam("name") String name) {
        catalog.versions(name);
        rollouts.forget(); // what another gateway may have written a moment ago
        ModelRollout now = rollouts.current();
        return view(name, new ModelRollout.Entry(now.stableVersion(name).orElse(null), now.canaryVersion(name).orElse(null),
                now.canaryShare(name)), rollouts.analysis(name));
    }

    @PUT
    @Operation(summary = "Set a model's rollout", description = "The versions new jobs of the model get from now on; "
            + "jobs already pinned keep their version. Versions must be registered by a worker. While a canary takes a "
            + "share, automatic canary analysis rolls it back or promotes it unless canary_analysis is false.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RolloutView.class)))
    @APIResponse(responseCode = "400", description = "version_not_registered, rollout_conflict, canary_share_out_of_range, "
            + "canary_share_required, reason_too_long",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public RolloutView put(@PathParam("name") String name, RolloutRequest request) {
        List<ModelEntry> versions = catalog.versions(name);
        if (request == null) {
            throw ProblemException.badRequest("body_required", "a JSON body is required");
        }
        List<FieldError> errors = new ArrayList<>();
        checkRegistered("stable_version", request.stableVersion(), versions, errors);
        checkRegistered("canary_version", request.canaryVersion(), versions, errors);
        if (request.canaryVersion() != null && request.canaryVersion().equals(request.stableVersion())) {
            errors.add(new FieldError("canary_version", "rollout_conflict", "a version cannot be both stable and canary"));
        }
        double share = request.canaryShare() == null ? 0 : request.canaryShare();
        if (!(share >= 0 && share <= 1)) {
            errors.add(new FieldError("canary_share", "canary_share_out_of_range", "'canary_share' must be between 0 and 1"));
        }
        if (request.canaryVersion() != null && request.canaryShare() == null) {
            errors.add(new FieldError("canary_share", "canary_share_required", "a canary needs its 'canary_share' (0 to hold it back)"));
        }
        if (request.reason() != null && request.reason().length() > MAX_REASON_CHARS) {
            errors.add(new FieldError("reason", "reason_too_long", "'reason' is longer than " + MAX_REASON_CHARS + " characters"));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors));
        }
        var key = caller.caller();
        ModelRollout.Entry entry = new ModelRollout.Entry(request.stableVersion(), request.canaryVersion(),
                request.canaryVersion() == null ? 0 : share);
        boolean analysis = request.canaryAnalysis() == null || request.canaryAnalysis();
        rollouts.change(name, entry, analysis, "key " + key.keyId() + " (" + key.keyName() + ")", request.reason());
        return view(name, entry, analysis);
    }

    private static void checkRegistered(String field, String version, List<ModelEntry> versions, List<FieldError> errors) {
        if (version != null && versions.stream().noneMatch(e -> e.version.equals(version))) {
            errors.add(new FieldError(field, "version_not_registered", "'" + field + "' names a version no worker has registered: "
                    + String.join(", ", versions.stream().map(e -> e.version).toList()) + " are"));
        }
    }

    private RolloutView view(String name, ModelRollout.Entry entry, boolean analysis) {
        return new RolloutView(name, entry.stable(), entry.canary(), entry.canary() == null ? 0 : entry.canaryShare(), analysis,
                rollouts.history(name, HISTORY).stream().map(this::view).toList());
    }

    private RolloutChangeView view(Rollouts.Change c) {
        JsonNode statistics;
        try {
            statistics = c.statistics() == null ? null : json.readTree(c.statistics());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("change " + c.id() + ": statistics are not JSON", e);
        }
        return new RolloutChangeView(c.id(), c.stableVersion(), c.canaryVersion(), c.canaryShare(), c.analysis(), c.changedBy(),
                c.reason(), statistics, c.changedAt());
    }
}
