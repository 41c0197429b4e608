package dev.genq.gateway.admin;

import java.math.BigDecimal;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/admin/tenants} and {@code PATCH /v1/admin/tenants/{id}}. */
@Schema(name = "TenantRequest")
public record TenantRequest(
        @Schema(maxLength = 100, examples = "acme") String name,
        @Schema(description = "queued + running jobs at once; omitted: the gateway default", minimum = "0") Integer maxConcurrentJobs,
        @Schema(description = "USD per calendar month (UTC); omitted: no budget", minimum = "0") BigDecimal monthlyBudgetUsd,
        @Schema(description = "share of the workers while tenants wait at once (fair dispatch): a tenant with weight 2 gets "
                + "twice the compute of one with weight 1; omitted at create: 1", minimum = "0.01", maximum = "1000") Double weight,
        @Schema(description = "days a finished job is kept, then deleted as DELETE /v1/jobs/{id} does (images, prompt; cost "
                + "kept); 0: until its client deletes it (the default)", minimum = "0", maximum = "3650") Integer outputRetentionDays) {
}
