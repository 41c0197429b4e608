package dev.genq.gateway.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.genq.storage.tenant.Tenant;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A tenant and its quotas; a null quota means the gateway's default (concurrency) or none (budget). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TenantView(UUID id, String name, Integer maxConcurrentJobs, BigDecimal monthlyBudgetUsd, double weight,
                         Integer outputRetentionDays, OffsetDateTime createdAt) {
    static TenantView of(Tenant t) {
        return new TenantView(t.id, t.name, t.maxConcurrentJobs, t.monthlyBudgetUsd, t.weight, t.outputRetentionDays, t.createdAt);
    }
}
