package dev.genq.gateway.admin;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.api.auth.ApiKeyIdentityProvider;
import dev.genq.api.auth.Roles;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Tenants and their API keys; admin keys only. */
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@Tag(name = "admin")
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "the key is not an admin key",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class TenantAdminResource {
    private final ApiKeyIdentityProvider identities;

    public TenantAdminResource(ApiKeyIdentityProvider identities) {
        this.identities = identities;
    }

    @POST
    @Path("tenants")
    @Transactional
    @Operation(summary = "Create a tenant")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = TenantView.class)))
    @APIResponse(responseCode = "409", description = "a tenant with that name exists",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response createTenant(TenantRequest request) {
        if (request == null || request.name() == null || request.name().isBlank() || request.name().strip().length() > 100) {
            throw ProblemException.badRequest("name_required", "'name' is required, 1 to 100 characters");
        }
        checkQuotas(request);
        String name = request.name().strip();
        if (Tenant.count("name", name) > 0) {
            throw ProblemException.conflict("tenant_exists", "a tenant named '" + name + "' exists");
        }
        Tenant t = new Tenant();
        t.id = UUID.randomUUID();
        t.name = name;
        t.maxConcurrentJobs = request.maxConcurrentJobs();
        t.monthlyBudgetUsd = request.monthlyBudgetUsd();
        t.weight = request.weight() == null ? 1 : request.weight();
        t.outputRetentionDays = retention(request.outputRetentionDays());
        t.persistAndFlush();
        Tenant.getEntityManager().refresh(t);
        return Response.created(URI.create("/v1/admin/tenants/" + t.id)).entity(TenantView.of(t)).build();
    }

    @GET
    @Path("tenants")
    @Transactional
    @Operation(summary = "List tenants")
    public List<TenantView> tenants() {
        return Tenant.<Tenant>list("order by createdAt").stream().map(TenantView::of).toList();
    }

    @GET
    @Path("tenants/{id}")
    @Transactional
    @Operation(summary = "Get a tenant")
    public TenantView tenant(@PathParam("id") String id) {
        return TenantView.of(find(id));
    }

    @PATCH
    @Path("tenants/{id}")
    @Transactional
    @Operation(summary = "Change a tenant's quotas", description = "Only the fields sent change; name cannot change.")
    public TenantView updateTenant(@PathParam("id") String id, TenantRequest request) {
        Tenant t = find(id);
        if (request == null) {
            throw ProblemException.badRequest("invalid_json", "the body must be a JSON object");
        }
        checkQuotas(request);
        if (request.maxConcurrentJobs() != null) {
            t.maxConcurrentJobs = request.maxConcurrentJobs();
        }
        if (request.monthlyBudgetUsd() != null) {
            t.monthlyBudgetUsd = request.monthlyBudgetUsd();
        }
        if (request.weight() != null) { // from its next submitted job on (waiting jobs keep their tags)
            t.weight = request.weight();
        }
        if (request.outputRetentionDays() != null) {
            t.outputRetentionDays = retention(request.outputRetentionDays());
        }
        return TenantView.of(t);
    }

    @POST
    @Path("tenants/{id}/keys")
    @Transactional
    @Operation(summary = "Create an API key", description = "The answer is the only time the raw key is shown.")
    @APIResponse(responseCode = "201", content = @Content(schema = @Schema(implementation = KeyView.class)))
    public Response createKey(@PathParam("id") String id, KeyRequest request) {
        Tenant t = find(id);
        if (request == null || request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            throw ProblemException.badRequest("name_required", "'name' is required, 1 to 100 characters");
        }
        if (request.roles() == null || request.roles().isEmpty() || !ApiKey.ROLES.containsAll(request.roles())) {
            throw ProblemException.badRequest("invalid_roles", "'roles' must be a non-empty list of client, reviewer, moderator, admin");
        }
        if (!Tenant.DEFAULT_ID.equals(t.id) && request.roles().stream().anyMatch(Roles.OPERATOR_ONLY::contains)) {
            throw ProblemException.badRequest("role_requires_operator_tenant", "'admin' and 'moderator' keys belong to the "
                    + "operator's tenant only: they act on every tenant");
        }
        if (request.rateLimitPerSecond() != null && !(request.rateLimitPerSecond() > 0 && request.rateLimitPerSecond() <= 100_000)) {
            throw ProblemException.badRequest("rate_limit_out_of_range", "'rate_limit_per_second' must be above 0 and at most 100000");
        }
        String raw = ApiKey.generate();
        ApiKey key = ApiKey.create(t.id, request.name().strip(), new HashSet<>(request.roles()), raw, request.rateLimitPerSecond());
        ApiKey.getEntityManager().refresh(key);
        return Response.created(URI.create("/v1/admin/keys/" + key.id)).entity(KeyView.of(key, raw)).build();
    }

    @GET
    @Path("tenants/{id}/keys")
    @Transactional
    @Operation(summary = "List a tenant's API keys", description = "Never shows the raw keys: they are not stored.")
    public List<KeyView> keys(@PathParam("id") String id) {
        Tenant t = find(id);
        return ApiKey.<ApiKey>list("tenantId = ?1 order by createdAt", t.id).stream().map(k -> KeyView.of(k, null)).toList();
    }

    @DELETE
    @Path("keys/{id}")
    @Transactional
    @Operation(summary = "Revoke an API key", description = "Effective at once on this gateway, within 10 s on others.")
    public KeyView revoke(@PathParam("id") String id) {
        ApiKey key = ApiKey.findById(parse(id, "key_not_found", "no key " + id));
        if (key == null) {
            throw ProblemException.notFound("key_not_found", "no key " + id);
        }
        if (key.revokedAt == null) {
            key.revokedAt = OffsetDateTime.now();
        }
        identities.evict(key.id);
        return KeyView.of(key, null);
    }

    /** 0 (or none) keeps outputs until the client deletes them. */
    private static Integer retention(Integer days) {
        return days == null || days == 0 ? null : days;
    }

    private static void checkQuotas(TenantRequest r) {
        if (r.outputRetentionDays() != null && (r.outputRetentionDays() < 0 || r.outputRetentionDays() > 3650)) {
            throw ProblemException.badRequest("output_retention_out_of_range", "'output_retention_days' must be between 0 and 3650");
        }
        if (r.maxConcurrentJobs() != null && (r.maxConcurrentJobs() < 0 || r.maxConcurrentJobs() > 1_000_000)) {
            throw ProblemException.badRequest("max_concurrent_jobs_out_of_range", "'max_concurrent_jobs' must be between 0 and 1000000");
        }
        if (r.monthlyBudgetUsd() != null && (r.monthlyBudgetUsd().signum() < 0
                || r.monthlyBudgetUsd().compareTo(new BigDecimal("1000000000")) > 0)) {
            throw ProblemException.badRequest("monthly_budget_out_of_range", "'monthly_budget_usd' must be between 0 and 1e9");
        }
        if (r.weight() != null && !(r.weight() >= 0.01 && r.weight() <= 1000)) {
            throw ProblemException.badRequest("weight_out_of_range", "'weight' must be between 0.01 and 1000");
        }
    }

    private static Tenant find(String id) {
        Tenant t = Tenant.findById(parse(id, "tenant_not_found", "no tenant " + id));
        if (t == null) {
            throw ProblemException.notFound("tenant_not_found", "no tenant " + id);
        }
        return t;
    }

    private static UUID parse(String id, String code, String detail) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound(code, detail);
        }
    }
}
