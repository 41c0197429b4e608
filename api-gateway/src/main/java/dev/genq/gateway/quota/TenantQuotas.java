package dev.genq.gateway.quota;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's quotas, checked in the submit transaction. Near the concurrency limit the check runs under
 * a lock on the tenant row, so two concurrent submits can never both take the last slot. Far below it
 * (more free slots than {@code lock-free-margin}, which must be at least the number of submit
 * transactions all gateways can run at once, i.e. the sum of their datasource pool sizes) no lock is
 * taken: even if every one of those transactions were admitted at once, the limit would hold. That keeps
 * a busy tenant's submits from queueing behind one another on its row.
 */
@ApplicationScoped
public class TenantQuotas {

    @ConfigMapping(prefix = "genq.quotas")
    public interface Settings {
        /** For tenants without their own max_concurrent_jobs. */
        @WithDefault("100")
        int defaultMaxConcurrentJobs();

        /** Free slots above which the concurrency check takes no lock (see the class comment). */
        @WithDefault("256")
        int lockFreeMargin();

        /** What a 429 for concurrency tells the client to wait: about one job's time. */
        @WithDefault("PT5S")
        Duration concurrencyRetryAfter();
    }


    private final Settings settings;
    private final EntityManager em;

    public TenantQuotas(Settings settings, EntityManager em) {
        this.settings = settings;
        this.em = em;
    }

    /** A tenant's limits (the configured default where it has none) and its queued + running jobs. */
    private record Standing(int maxConcurrentJobs, BigDecimal monthlyBudgetUsd, long activeJobs) {
    }

    /**
     * The tenant's limits and its active jobs in one round trip (this runs on every submit). The count is
     * the sum of the tenant's counter slots, kept by a trigger on jobs (V10), so it costs the same with an
     * empty queue or a backlog of 100,000.
     */
    private Standing standing(UUID tenantId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select t.max_concurrent_jobs, t.monthly_budget_usd,
                       (select coalesce(sum(a.active), 0) from tenant_active_jobs a where a.tenant_id = t.id)
                from tenants t where t.id = ?1""").setParameter(1, tenantId).getResultList();
        if (rows.isEmpty()) {
            throw new IllegalStateException("the caller's tenant does not exist: " + tenantId);
        }
        Object[] r = rows.get(0);
        return new Standing(r[0] != null ? ((Number) r[0]).intValue() : settings.defaultMaxConcurrentJobs(),
                (BigDecimal) r[1], ((Number) r[2]).longValue());
    }

    /** Throws 429 or 402 problems; must run inside the transaction that then creates the job. */
    public void admit(UUID tenantId) {
        Standing standing = standing(tenantId);
        if ((long) standing.maxConcurrentJobs() - standing.activeJobs() <= settings.lockFreeMargin()) {
            // near the limit: one submit at a time decides, reading again after the lock (a new statement
            // sees what the submits it waited for committed)
            em.createNativeQuery("select 1 from tenants where id = ?1 for update").setParameter(1, tenantId).getResultList();
            standing = standing(tenantId);
        }
        if (standing.activeJobs() >= standing.maxConcurrentJobs()) {
            throw ProblemException.tooManyRequests("concurrency_limit_reached", "this tenant has " + standing.activeJobs()
                    + " queued or running jobs and may have at most " + standing.maxConcurrentJobs() + "; retry when one finishes",
                    settings.concurrencyRetryAfter().toSeconds());
        }
        BigDecimal monthlyBudget = standing.monthlyBudgetUsd();
        if (monthlyBudget != null) {
            BigDecimal spent = (BigDecimal) em.createNativeQuery("""
                    select coalesce(sum(cost_usd), 0) from sample_costs
                    where tenant_id = ?1 and billable
                      and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'""")
                    .setParameter(1, tenantId).getSingleResult();
            if (spent.compareTo(monthlyBudget) >= 0) {
                throw new ProblemException(Problem.of(402, "budget_exhausted", "Payment required",
                        "this month's spend of " + spent.stripTrailingZeros().toPlainString() + " USD has reached the budget of "
                                + monthlyBudget.stripTrailingZeros().toPlainString() + " USD; raise the budget or wait for next month"));
            }
        }
    }
}
