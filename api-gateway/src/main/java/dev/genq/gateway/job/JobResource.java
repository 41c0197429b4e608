package dev.genq.gateway.job;

import dev.genq.gateway.outbox.OutboxRelay;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.storage.job.Job;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.DELETE;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.narayana.jta.QuarkusTransaction;
import dev.genq.storage.job.JobStatus;
import java.time.Duration;
import java.util.UUID;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import dev.genq.api.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "the key lacks the client role",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "429", description = "the key is over its rate limit (code rate_limited), or on submit the "
        + "tenant is at its concurrent-job quota (concurrency_limit_reached)",
        headers = @Header(name = "Retry-After", description = "seconds to wait", schema = @Schema(type = SchemaType.INTEGER)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class JobResource {
    private final JobService jobs;
    private final JobViews views;
    private final JobRequestValidator validator;
    private final CurrentTenant tenant;
    private final OutboxRelay relay;
    private final dev.genq.gateway.dispatch.FairDispatcher dispatcher;
    private final IdempotencyKeys keys;
    private final JobWaiter waiter;
    private final JobEventStream events;
    private final JobDeletion deletion;

    public JobResource(JobService jobs, JobViews views, JobRequestValidator validator, CurrentTenant tenant,
                       OutboxRelay relay, IdempotencyKeys keys, JobWaiter waiter, JobEventStream events,
                       dev.genq.gateway.dispatch.FairDispatcher dispatcher, JobDeletion deletion) {
        this.dispatcher = dispatcher;
        this.deletion = deletion;
        this.events = events;
        this.keys = keys;
        this.waiter = waiter;
        this.jobs = jobs;
        this.views = views;
        this.validator = validator;
        this.tenant = tenant;
        this.relay = relay;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a job", description = "Answers at once with the queued job; poll its Location. With "
            + "Prefer: wait=N the answer comes when the job finishes, needs review, or after N seconds; a key, tenant or "
            + "gateway at its cap of held waits gets its 202 at once, without Preference-Applied.")
    @APIResponse(responseCode = "200", description = "with Prefer: wait, the job finished in time (a JobView); with "
            + "\"dry_run\": true, what it would cost and wait (a JobEstimate), nothing created",
            content = @Content(schema = @Schema(oneOf = {JobView.class, JobEstimate.class})))
    @APIResponse(responseCode = "409", description = "Idempotency-Key reused with another body",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "202", description = "accepted and durably queued",
            content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "invalid request; nothing was created",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "402", description = "the tenant's monthly budget is spent (budget_exhausted)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @Blocking
    public Uni<Response> submit(SubmitJobRequest request,
                           @Parameter(description = "same key and body within 24 h return the same job; another body is a 409")
                           @HeaderParam("Idempotency-Key") String idempotencyKey,
                           @Parameter(description = "wait=N (N <= 60): answer when the job finishes or after N seconds")
                           @HeaderParam("Prefer") String prefer) {
        ValidJob valid = validator.validate(request);
        if (Boolean.TRUE.equals(request.dryRun())) { // every check, nothing created: no key claimed, no wait
            if (idempotencyKey != null) {
                IdempotencyKeys.validate(idempotencyKey);
            }
            return Uni.createFrom().item(Response.ok(jobs.estimate(tenant.id(), valid)).build());
        }
        String hash = hashIfKeyed(idempotencyKey, () -> keys.hash(request));
        return answerAfterWait(jobs.submit(tenant.id(), valid, idempotencyKey, hash), prefer);
    }

    /**
     * Wakes the dispatcher (the job is published now if its turn has come, not at the next poll) and answers with the new
     * (or replayed) job now, or with {@code Prefer: wait=N} when it settles or N seconds passed.
     */
    private Uni<Response> answerAfterWait(JobService.Submission submission, String prefer) {
        Job job = submission.job();
        dispatcher.submitted(job.mode);
        boolean replayed = submission.replayed();
        int wait = PreferWait.seconds(prefer);
        if (wait == 0 || JobWaiter.settled(job.status)) {
            return Uni.createFrom().item(answer(views.of(job), job.status, replayed, wait > 0 ? wait : null));
        }
        UUID tenantId = tenant.id();
        UUID jobId = job.id;
        var settled = waiter.untilSettled(tenant.caller(), jobId, Duration.ofSeconds(wait));
        if (settled.isEmpty()) { // over a wait cap: answer now, and say the preference was not applied
            return Uni.createFrom().item(answer(views.of(job), job.status, replayed, null));
        }
        // the request holds no thread while it waits; the answer is read afresh on a worker thread
        return Uni.createFrom().completionStage(settled.get())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(ignored -> QuarkusTransaction.requiringNew().call(() -> {
                    Job now = jobs.get(tenantId, jobId.toString());
                    return answer(views.of(now), now.status, replayed, wait);
                }));
    }

    /** The request's hash when it carries an Idempotency-Key (checked first), else null. */
    private static String hashIfKeyed(String idempotencyKey, java.util.function.Supplier<String> hash) {
        if (idempotencyKey == null) {
            return null;
        }
        IdempotencyKeys.validate(idempotencyKey);
        return hash.get();
    }

    /** An upscale or variation names the preview sample it starts from. @throws ProblemException 400 sample_required */
    private static void requireSample(Integer sample) {
        if (sample == null || sample < 0) {
            throw ProblemException.badRequest("sample_required", "'sample' must be the index of a released preview sample");
        }
    }

    private static Response answer(JobView view, JobStatus status, boolean replayed, Integer waitApplied) {
        Response.ResponseBuilder response = (status.isTerminal() ? Response.ok(view) : Response.accepted(view))
                .location(URI.create("/v1/jobs/" + view.id()));
        if (replayed) {
            response.header("Idempotent-Replayed", "true");
        }
        if (waitApplied != null) {
            response.header("Preference-Applied", "wait=" + waitApplied);
        }
        return response.build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a job", description = "Status, progress, parameters, cost and, for released samples, download URLs.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", description = "no such job for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JobView get(@PathParam("id") String id) {
        return views.withStanding(jobs.get(tenant.id(), id));
    }

    @GET
    @Operation(summary = "List jobs", description = "Newest first, paginated with an opaque cursor; filter by status (comma-separated).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobPage.class)))
    public JobPage list(@QueryParam("status") String status, @QueryParam("cursor") String cursor,
                        @QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 100) {
            throw ProblemException.badRequest("limit_out_of_range", "'limit' must be between 1 and 100");
        }
        List<Job> page = jobs.list(tenant.id(), JobListQuery.parseStatuses(status), JobListQuery.parseCursor(cursor), limit + 1);
        String next = page.size() > limit ? JobListQuery.cursorAfter(page.get(limit - 1)) : null;
        return new JobPage(views.of(page.subList(0, Math.min(limit, page.size()))), next);
    }

    @GET
    @Path("{id}/samples/{sample}/image")
    @Operation(summary = "Download a sample", description = "Redirects (302) to a fresh presigned URL of a released "
            + "sample's PNG: the link webhooks carry, valid as long as the sample is kept.")
    @APIResponse(responseCode = "302", description = "Location: a presigned download URL")
    @APIResponse(responseCode = "404", description = "no such job for this tenant (job_not_found), or the sample is "
            + "not released (sample_not_available)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response image(@PathParam("id") String id, @PathParam("sample") int sample) {
        var url = views.imageUrl(jobs.get(tenant.id(), id), sample);
        return Response.status(Response.Status.FOUND).location(URI.create(url.url()))
                .header("Cache-Control", "private, no-store").build(); // the URL expires; the link does not
    }

    @POST
    @Path("{id}/upscale")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upscale a preview sample", description = "Creates a full job whose super-resolution stage "
            + "sharpens exactly that released preview sample; the new job carries parent_id and parent_sample. "
            + "Prefer: wait=N works as on a submit.")
    @APIResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "409", description = "the sample is not released, the job is not a preview, or the "
            + "Idempotency-Key was used for another request (idempotency_key_reused)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @Blocking
    public Uni<Response> upscale(@PathParam("id") String id, UpscaleRequest request,
                            @Parameter(description = "the same key for the same job and sample within 24 h returns the "
                                    + "same upscale; for anything else it is a 409")
                            @HeaderParam("Idempotency-Key") String idempotencyKey,
                            @Parameter(description = "wait=N (N <= 60): answer when the upscale finishes or after N seconds")
                            @HeaderParam("Prefer") String prefer) {
        requireSample(request == null ? null : request.sample());
        String hash = hashIfKeyed(idempotencyKey, () -> keys.hashUpscale(id, request.sample()));
        return answerAfterWait(jobs.upscale(tenant.id(), id, request.sample(), idempotencyKey, hash), prefer);
    }

    @POST
    @Path("{id}/variations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Vary a preview sample", description = "Creates a preview job that re-noises that released "
            + "sample to the strength's share of the schedule and denoises it again (SDEdit): 0 keeps the sample, 1 is a "
            + "fresh image from the seed. It runs (and is billed for) round(strength x steps) steps; the new job carries "
            + "parent_id, parent_sample and params.strength. Prefer: wait=N works as on a submit.")
    @APIResponse(responseCode = "202", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", description = "sample_required, strength_out_of_range, unknown_preset, "
            + "strength_and_preset, or any submit validation code for the derived job",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "the sample is not released, the job is not a preview, or the "
            + "Idempotency-Key was used for another request (idempotency_key_reused)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @Blocking
    public Uni<Response> vary(@PathParam("id") String id, VariationRequest request,
                              @Parameter(description = "the same key and body for the same job within 24 h return the "
                                      + "same variation; for anything else it is a 409")
                              @HeaderParam("Idempotency-Key") String idempotencyKey,
                              @Parameter(description = "wait=N (N <= 60): answer when the variation finishes or after N seconds")
                              @HeaderParam("Prefer") String prefer) {
        requireSample(request == null ? null : request.sample());
        double strength = request.resolvedStrength();
        String hash = hashIfKeyed(idempotencyKey, () -> keys.hashVariation(id, request));
        return answerAfterWait(jobs.vary(tenant.id(), id, request, strength, idempotencyKey, hash), prefer);
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Follow a job", description = "Server-Sent Events: the job's status and progress now and "
            + "whenever they change (unnamed events, JobEvent); the stream ends after a terminal state. A job submitted with "
            + "preview_every also gets events named 'preview' (PreviewEvent): each sample's current estimate every "
            + "preview_every steps once moderation scored it, with the image when released, without it when withheld.")
    @APIResponse(responseCode = "200", description = "the stream: unnamed events carry a JobEvent; events named "
            + "'preview' a PreviewEvent", content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(
                    oneOf = {JobEventStream.JobEvent.class, JobEventStream.PreviewEvent.class})))
    @APIResponse(responseCode = "404", description = "no such job for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "too many streams open for this key, its tenant or the gateway "
            + "(too_many_streams); close one, or poll",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        UUID tenantId = tenant.id();
        return events.of(tenant.caller(), () -> jobs.get(tenantId, id), sse); // unknown job: 404 before any stream
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a finished job", description = "Its images leave every bucket (their URLs stop working), "
            + "its prompt is redacted and its webhook payloads emptied; it is gone from the API and never answers from the "
            + "result cache. Its cost stays in usage and the budget. The uploads it used go too, unless another job not "
            + "deleted still names them.")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "404", description = "no such job for this tenant, or already deleted (job_not_found)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "the job is not finished (job_not_finished): cancel it or wait",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response delete(@PathParam("id") String id) {
        deletion.delete(tenant.id(), id);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a job", description = "Queued jobs never start; running jobs stop at the next denoising step and pay for the steps they ran.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "409", description = "the job already finished",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public JobView cancel(@PathParam("id") String id) {
        JobView canceled = views.of(jobs.cancel(tenant.id(), id));
        relay.wake(); // its job.canceled event goes out now, not at the relay's next poll (up to a second later)
        return canceled;
    }
}
