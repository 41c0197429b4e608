package dev.genq.gateway.quota;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.tenant.Tenant;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;

/**
 * A tenant's quotas, checked in the submit transaction under a lock on the tenant row, so two
 * concurrent submits can never both take the last slot.
 */
@ApplicationScoped
public class TenantQuotas {

    @ConfigMapping(prefix = "genq.quotas")
    public interface Settings {
        /** For tenants without their own max_concurrent_jobs. */
        @WithDefault("100")
        int defaultMaxConcurrentJobs();

        /** What a 429 for concurrency tells the client to wait: about one job's time. */
        @WithDefault("PT5S")
        Duration concurrencyRetryAfter();
    }

    static final EnumSet<JobStatus> ACTIVE = EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING);

    private final Settings settings;
    private final EntityManager em;

    public TenantQuotas(Settings settings, EntityManager em) {
        this.settings = settings;
        this.em = em;
    }

    /** Throws 429 or 402 problems; must run inside the transaction that then creates the job. */
    public void admit(UUID tenantId) {
        Tenant tenant = em.find(Tenant.class, tenantId, LockModeType.PESSIMISTIC_WRITE);
        if (tenant == null) {
            throw new IllegalStateException("the caller's tenant does not exist: " + tenantId);
        }
        int max = tenant.maxConcurrentJobs != null ? tenant.maxConcurrentJobs : settings.defaultMaxConcurrentJobs();
        long active = em.createQuery("select count(j) from Job j where j.tenantId = :t and j.status in :s", Long.class)
                .setParameter("t", tenantId).setParameter("s", ACTIVE).getSingleResult();
        if (active >= max) {
            throw ProblemException.tooManyRequests("concurrency_limit_reached", "this tenant has " + active
                    + " queued or running jobs and may have at most " + max + "; retry when one finishes",
                    settings.concurrencyRetryAfter().toSeconds());
        }
        if (tenant.monthlyBudgetUsd != null) {
            BigDecimal spent = (BigDecimal) em.createNativeQuery("""
                    select coalesce(sum(cost_usd), 0) from sample_costs
                    where tenant_id = ?1 and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'""")
                    .setParameter(1, tenantId).getSingleResult();
            if (spent.compareTo(tenant.monthlyBudgetUsd) >= 0) {
                throw new ProblemException(Problem.of(402, "budget_exhausted", "Payment required",
                        "this month's spend of " + spent.stripTrailingZeros().toPlainString() + " USD has reached the budget of "
                                + tenant.monthlyBudgetUsd.stripTrailingZeros().toPlainString() + " USD; raise the budget or wait for next month"));
            }
        }
    }
}
