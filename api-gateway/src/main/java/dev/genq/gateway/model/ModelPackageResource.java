package dev.genq.gateway.model;

import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.storage.model.ModelPackages;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Registering a model package without a restart: the operator uploads it to the object store and names it here;
 * every worker loads and probes it in the background and reports; its version is routed (in the catalog, the
 * models API, the rollout) once every live worker loaded it. Unregistering stops routing at once; workers unload
 * it when no unfinished job needs it.
 */
@Path("/v1/admin/models")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@Tag(name = "admin")
@SecurityRequirement(name = "apiKey")
public class ModelPackageResource {
    /**
     * Only pinned S3 packages: the pin is model.json's sha256 and model.json lists every other file's, so what the
     * workers load is exactly what the operator named (a local path would let an API key read the worker's disk).
     */
    static final Pattern SOURCE = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[A-Za-z0-9._/-]{1,500}#sha256=[0-9a-f]{64}");
    static final int MAX_REASON_CHARS = 500;
    static final int LISTED = 100;

    /** Body of {@code POST /v1/admin/models}. */
    @Schema(name = "ModelPackageRequest")
    public record RegisterRequest(
            @Schema(required = true, description = "s3://bucket/prefix#sha256=<model.json's sha256>; model.json must list "
                    + "the sha256 of every other file and the package must ship its golden probe",
                    examples = "s3://genq-models/sd15-lcm/1#sha256=3f5a...") String source,
            @Schema(description = "why, kept with the registration", maxLength = MAX_REASON_CHARS) String reason) {
    }

    /** A registration and what each worker made of it. */
    @Schema(name = "ModelPackage")
    public record PackageView(UUID id, String source, String reason, UUID requestedBy, java.time.OffsetDateTime registeredAt,
                              java.time.OffsetDateTime unregisteredAt,
                              @Schema(description = "registered (loading or waiting for every live worker), routable "
                                      + "(every live worker loaded it: jobs may name it), refused (a worker refused it: "
                                      + "see loads), unregistered") String status,
                              List<ModelPackages.Load> loads) {
    }

    private final CurrentTenant caller;

    public ModelPackageResource(CurrentTenant caller) {
        this.caller = caller;
    }

    @POST
    @Transactional
    @Operation(summary = "Register a model package", description = "Workers load it in the background and run its golden "
            + "probe; it becomes routable when every live worker reports it loaded (GET the answer's location).")
    @APIResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = PackageView.class)))
    @APIResponse(responseCode = "400", description = "source_invalid, reason_too_long",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response register(RegisterRequest request) {
        if (request == null || request.source() == null || !SOURCE.matcher(request.source()).matches()
                || request.source().contains("..")) {
            throw ProblemException.badRequest("source_invalid", "'source' must be s3://bucket/prefix#sha256=<64 hex>, "
                    + "the sha256 of the package's model.json (which lists every other file's)");
        }
        if (request.reason() != null && request.reason().length() > MAX_REASON_CHARS) {
            throw ProblemException.badRequest("reason_too_long", "'reason' is longer than " + MAX_REASON_CHARS + " characters");
        }
        UUID id = ModelPackages.register(request.source(), request.reason(), caller.id());
        return Response.accepted(view(id)).location(URI.create("/v1/admin/models/packages/" + id)).build();
    }

    @GET
    @Path("packages")
    @Transactional
    @Operation(summary = "The last 100 registered packages and each worker's report")
    public List<PackageView> list() {
        return ModelPackages.registrations(null, LISTED).stream().map(ModelPackageResource::view).toList();
    }

    @GET
    @Path("packages/{id}")
    @Transactional
    @Operation(summary = "One registered package and each worker's report")
    @APIResponse(responseCode = "404", description = "package_not_found",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public PackageView get(@PathParam("id") String id) {
        return view(parse(id));
    }

    @DELETE
    @Path("packages/{id}")
    @Transactional
    @Operation(summary = "Unregister a package", description = "Its version is no longer routed from the next catalog read "
            + "(2 s); workers unload it once no unfinished job needs it. Idempotent.")
    public PackageView unregister(@PathParam("id") String id) {
        UUID packageId = parse(id);
        view(packageId); // 404 first
        ModelPackages.unregister(packageId);
        return view(packageId);
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("package_not_found", "no registered package " + id);
        }
    }

    private static PackageView view(UUID id) {
        return ModelPackages.registrations(id, 1).stream().findFirst().map(ModelPackageResource::view)
                .orElseThrow(() -> ProblemException.notFound("package_not_found", "no registered package " + id));
    }

    private static PackageView view(ModelPackages.Registration r) {
        String status = r.unregisteredAt() != null ? "unregistered"
                : r.routable() ? "routable"
                : r.loads().stream().anyMatch(l -> l.live() && l.status().equals("refused")) ? "refused" : "registered";
        return new PackageView(r.id(), r.source(), r.reason(), r.requestedBy(), r.registeredAt(), r.unregisteredAt(), status,
                r.loads());
    }
}
