package dev.genq.gateway.webhook;

import dev.genq.gateway.job.JobService;
import dev.genq.api.problem.Problem;
import dev.genq.gateway.tenant.CurrentTenant;
import dev.genq.api.auth.Roles;
import dev.genq.storage.job.Job;
import dev.genq.storage.webhook.WebhookAttempt;
import dev.genq.storage.webhook.WebhookDelivery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A job's webhook deliveries with every attempt (its own resource: JAX-RS does not share a path prefix across classes). */
@Path("/v1/jobs/{id}/webhook-deliveries")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.CLIENT)
@Tag(name = "webhooks")
@SecurityRequirement(name = "apiKey")
public class WebhookDeliveryResource {
    private final JobService jobs;
    private final CurrentTenant tenant;

    public WebhookDeliveryResource(JobService jobs, CurrentTenant tenant) {
        this.jobs = jobs;
        this.tenant = tenant;
    }

    @GET
    @Transactional
    @Operation(summary = "A job's webhook deliveries", description = "Every event sent (or being retried) for the job, "
            + "oldest first, each with every attempt: when, how long, the response status or the error.")
    @APIResponse(responseCode = "404", description = "no such job for this tenant",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public List<DeliveryView> deliveries(@PathParam("id") String id) {
        Job job = jobs.get(tenant.id(), id);
        List<WebhookDelivery> rows = WebhookDelivery.list("jobId = ?1 order by createdAt, id", job.id);
        Map<String, List<WebhookAttempt>> attempts = rows.isEmpty() ? Map.of()
                : WebhookAttempt.<WebhookAttempt>list("key.deliveryId in ?1 order by key.attempt",
                        rows.stream().map(d -> d.id).toList()).stream()
                .collect(Collectors.groupingBy(a -> a.key.deliveryId()));
        return rows.stream().map(d -> new DeliveryView(d.id, d.eventType, d.url, d.status, d.attempts, d.nextAttemptAt,
                d.createdAt, d.finishedAt, attempts.getOrDefault(d.id, List.of()).stream()
                .map(a -> new DeliveryView.Attempt(a.key.attempt(), a.attemptedAt, a.durationMs, a.responseStatus, a.error))
                .toList())).toList();
    }

}
