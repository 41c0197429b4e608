package dev.genq.gateway.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.job.IdempotencyKeys;
import dev.genq.gateway.job.JobRequestValidator;
import dev.genq.gateway.job.JobService;
import dev.genq.gateway.job.SubmitJobRequest;
import dev.genq.gateway.job.ValidJob;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.gateway.webhook.WebhookUrlGuard;
import dev.genq.storage.job.Priority;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Batches: many jobs submitted at once into the bulk lane (cheaper, never ahead of interactive work, never starved),
 * followed as one, with one batch.completed webhook.
 */
@Path("/v1/batches")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "batches")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
public class BatchResource {
    static final String JSONL = "application/jsonl";
    static final String NDJSON = "application/x-ndjson";

    private final BatchService batches;
    private final JobRequestValidator validator;
    private final IdempotencyKeys keys;
    private final WebhookUrlGuard urlGuard;
    private final CurrentTenant tenant;
    private final ObjectMapper json;
    private final BatchSettings settings;

    public BatchResource(BatchService batches, JobRequestValidator validator, IdempotencyKeys keys, WebhookUrlGuard urlGuard,
                         CurrentTenant tenant, ObjectMapper json, BatchSettings settings) {
        this.batches = batches;
        this.validator = validator;
        this.keys = keys;
        this.urlGuard = urlGuard;
        this.tenant = tenant;
        this.json = json;
        this.settings = settings;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, JSONL, NDJSON})
    @Blocking
    @Operation(summary = "Submit a batch", description = "Up to 10,000 items, each a job request as for POST /v1/jobs "
            + "(plus an optional idempotency_key: an item whose key and body made a job in the last 24 hours is that job). "
            + "JSON: {\"items\": [...], \"webhook\": url}; JSONL (application/jsonl): one item per line, the webhook as a "
            + "query parameter. Every item runs in the bulk lane. Accepted whole or refused whole: an invalid item is "
            + "named as items[i].field and nothing is created.")
    @APIResponse(responseCode = "201", description = "the batch and its jobs exist",
            content = @Content(schema = @Schema(implementation = BatchView.class)))
    @APIResponse(responseCode = "400", description = "an invalid item or batch; nothing was created",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "the tenant's bulk jobs would exceed its limit (bulk_limit_reached)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(String body, @HeaderParam("Content-Type") String contentType,
                           @Parameter(description = "JSONL only: the URL that receives batch.completed")
                           @QueryParam("webhook") String webhookParam) {
        boolean lines = contentType != null && (contentType.startsWith(JSONL) || contentType.startsWith(NDJSON));
        List<JsonNode> raw = new ArrayList<>();
        String webhook = lines ? webhookParam : null;
        try {
            if (lines) {
                for (String line : body == null ? new String[0] : body.split("\n")) {
                    if (!line.isBlank()) {
                        raw.add(json.readTree(line));
                    }
                }
            } else {
                JsonNode root = json.readTree(body == null ? "" : body);
                if (root == null || !root.isObject() || !root.path("items").isArray()) {
                    throw ProblemException.badRequest("items_required", "the body must be {\"items\": [...]} with job requests");
                }
                root.path("items").forEach(raw::add);
                webhook = root.hasNonNull("webhook") ? root.path("webhook").asText() : null;
            }
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("invalid_json", "the body is not valid JSON" + (lines ? " lines" : ""));
        }
        if (raw.isEmpty() || raw.size() > settings.maxItems()) {
            throw ProblemException.badRequest("batch_size_out_of_range", "a batch has 1 to " + settings.maxItems()
                    + " items; this one has " + raw.size());
        }
        if (webhook != null) {
            urlGuard.check(webhook).ifPresent(refusal -> {
                throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("webhook", refusal.code(), refusal.message()))));
            });
        }
        List<JobService.BatchItem> items = new ArrayList<>(raw.size());
        List<Problem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            try {
                items.add(item(raw.get(i)));
            } catch (ProblemException e) {
                String prefix = "items[" + i + "]";
                Problem p = e.problem();
                if (p.errors() != null) {
                    p.errors().forEach(f -> errors.add(new Problem.FieldError(prefix + "." + f.field(), f.code(), f.message())));
                } else {
                    errors.add(new Problem.FieldError(prefix, p.code(), p.detail()));
                }
            }
            if (errors.size() >= 20) {
                break; // enough to fix; a batch of 10,000 bad items need not answer with all of them
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors));
        }
        BatchView view = batches.create(tenant.id(), items, webhook);
        return Response.created(URI.create("/v1/batches/" + view.id())).entity(view).build();
    }

    /** One item: a job request in the bulk lane, with its idempotency key and body hash when it has a key. */
    private JobService.BatchItem item(JsonNode node) {
        if (!node.isObject()) {
            throw ProblemException.badRequest("invalid_item", "each item must be a JSON object (a job request)");
        }
        ObjectNode fields = ((ObjectNode) node).deepCopy();
        JsonNode key = fields.remove("idempotency_key");
        String idempotencyKey = key == null || key.isNull() ? null : key.asText();
        if (idempotencyKey != null) {
            IdempotencyKeys.validate(idempotencyKey);
        }
        SubmitJobRequest request;
        try {
            request = json.treeToValue(fields, SubmitJobRequest.class);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("invalid_item", "the item is not a job request: " + e.getOriginalMessage());
        }
        if (Boolean.TRUE.equals(request.dryRun())) {
            throw ProblemException.badRequest("dry_run_in_batch", "a batch's items cannot be dry runs; send each to POST /v1/jobs");
        }
        ValidJob v = validator.validate(request);
        ValidJob bulk = v.withPriority(Priority.BULK);
        return new JobService.BatchItem(bulk, idempotencyKey, idempotencyKey == null ? null : keys.hash(request));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a batch", description = "Counts of its items by their job's status, and its cost so far.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = BatchView.class)))
    @APIResponse(responseCode = "404", description = "no such batch for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public BatchView get(@PathParam("id") String id) {
        UUID batch = parse(id);
        return QuarkusTransaction.requiringNew().call(() -> batches.view(tenant.id(), batch));
    }

    @GET
    @Path("{id}/items")
    @Operation(summary = "List a batch's items", description = "In item order; follow next_cursor for the next page.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = BatchItemPage.class)))
    public BatchItemPage items(@PathParam("id") String id,
                               @QueryParam("cursor") String cursor,
                               @QueryParam("limit") @DefaultValue("100") int limit) {
        UUID batch = parse(id);
        if (limit < 1 || limit > 1000) {
            throw ProblemException.badRequest("limit_out_of_range", "'limit' must be between 1 and 1000");
        }
        int from;
        try {
            from = cursor == null ? 0 : Integer.parseInt(cursor);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("invalid_cursor", "'cursor' must be a next_cursor this API returned");
        }
        return QuarkusTransaction.requiringNew().call(() -> batches.items(tenant.id(), batch, Math.max(0, from), limit));
    }

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a batch", description = "Cancels every queued or running job of it; idempotent. The batch "
            + "completes (and batch.completed goes out) once its last job has ended.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = BatchView.class)))
    public BatchView cancel(@PathParam("id") String id) {
        return batches.cancel(tenant.id(), parse(id));
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("batch_not_found", "no batch " + id);
        }
    }
}
