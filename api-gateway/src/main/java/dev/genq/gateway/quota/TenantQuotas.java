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

        /** A model's cost per sample and step before it has any history (see {@link CostEstimates}). */
        @WithDefault("0.000001")
        BigDecimal estimatedCostPerSampleStep();

        /** How many of a model's recent succeeded jobs its estimate is measured over. */
        @WithDefault("50")
        int estimateHistoryJobs();

        /** A tenant's bulk jobs queued or running at once, at most (bulk work does not count against the concurrency quota). */
        @WithDefault("20000")
        int maxBulkJobs();

        /** What bulk jobs (priority bulk: batches) pay of the price; they wait for room, so they cost less. */
        @WithDefault("0.5")
        BigDecimal bulkPriceFactor();

        /** How long a measured estimate is used before it is measured again. */
        @WithDefault("PT10S")
        Duration estimateRefresh();
    }


    private final Settings settings;
    private final EntityManager em;

    public TenantQuotas(Settings settings, EntityManager em) {
        this.settings = settings;
        this.em = em;
    }

    /** What a job of this lane pays of its price: 1 interactive, {@code bulk-price-factor} bulk. */
    public BigDecimal priceFactor(dev.genq.storage.job.Priority priority) {
        return priority == dev.genq.storage.job.Priority.BULK ? settings.bulkPriceFactor() : BigDecimal.ONE;
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

    /**
     * Throws 429 or 402 problems; must run inside the transaction that then creates the job, which records
     * the returned reservation. With a monthly budget the job is admitted only if this month's recorded cost,
     * plus the reservations of the tenant's queued and running jobs, plus {@code estimate} fit in it (decided
     * under the tenant row's lock, so concurrent submits cannot all take the same remainder).
     */
    public BigDecimal admit(UUID tenantId, BigDecimal estimate) {
        return admit(tenantId, estimate, dev.genq.storage.job.Priority.INTERACTIVE, 1);
    }

    /**
     * As {@link #admit(UUID, BigDecimal)} for {@code jobs} jobs of a lane at once (a batch's items: one decision,
     * {@code estimate} their total). Bulk jobs are capped by {@code max-bulk-jobs} instead of the concurrency quota,
     * always under the tenant row's lock (bulk submits are few and large).
     */
    public BigDecimal admit(UUID tenantId, BigDecimal estimate, dev.genq.storage.job.Priority priority, int jobs) {
        if (priority == dev.genq.storage.job.Priority.BULK) {
            em.createNativeQuery("select 1 from tenants where id = ?1 for update").setParameter(1, tenantId).getResultList();
            long bulk = ((Number) em.createNativeQuery("""
                    select count(*) from jobs where tenant_id = ?1 and status in ('queued', 'running') and priority = 'bulk'""")
                    .setParameter(1, tenantId).getSingleResult()).longValue();
            if (bulk + jobs > settings.maxBulkJobs()) {
                throw ProblemException.tooManyRequests("bulk_limit_reached", "this tenant has " + bulk
                        + " queued or running bulk jobs and may have at most " + settings.maxBulkJobs() + "; these " + jobs
                        + " would exceed that; retry when some finish", settings.concurrencyRetryAfter().toSeconds());
            }
            checkBudget(tenantId, standing(tenantId).monthlyBudgetUsd(), estimate);
            return estimate;
        }
        Standing standing = standing(tenantId);
        if ((long) standing.maxConcurrentJobs() - standing.activeJobs() <= settings.lockFreeMargin()
                || standing.monthlyBudgetUsd() != null) {
            // near the limit, or with a budget to keep: one submit at a time decides, reading again after the
            // lock (a new statement sees what the submits it waited for committed)
            em.createNativeQuery("select 1 from tenants where id = ?1 for update").setParameter(1, tenantId).getResultList();
            standing = standing(tenantId);
        }
        if (standing.activeJobs() >= standing.maxConcurrentJobs()) {
            throw ProblemException.tooManyRequests("concurrency_limit_reached", "this tenant has " + standing.activeJobs()
                    + " queued or running jobs and may have at most " + standing.maxConcurrentJobs() + "; retry when one finishes",
                    settings.concurrencyRetryAfter().toSeconds());
        }
        checkBudget(tenantId, standing.monthlyBudgetUsd(), estimate);
        return estimate;
    }

    /** 402 unless this month's cost, the reservations of active jobs and {@code estimate} fit the budget (if any). */
    private void checkBudget(UUID tenantId, BigDecimal monthlyBudget, BigDecimal estimate) {
        if (monthlyBudget != null) {
            Object[] r = (Object[]) em.createNativeQuery("""
                    select (select coalesce(sum(cost_usd), 0) from sample_costs
                            where tenant_id = ?1 and billable
                              and created_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'),
                           (select coalesce(sum(reserved_usd), 0) from jobs
                            where tenant_id = ?1 and status in ('queued', 'running'))""")
                    .setParameter(1, tenantId).getSingleResult();
            BigDecimal spent = (BigDecimal) r[0];
            BigDecimal reserved = (BigDecimal) r[1];
            if (spent.add(reserved).add(estimate).compareTo(monthlyBudget) > 0) {
                throw new ProblemException(Problem.of(402, "budget_exhausted", "Payment required",
                        "this month's spend of " + plain(spent) + " USD, with " + plain(reserved) + " USD reserved for queued "
                                + "and running jobs, leaves less than this job's estimated " + plain(estimate)
                                + " USD of the budget of " + plain(monthlyBudget) + " USD; raise the budget, wait for jobs "
                                + "to finish, or wait for next month"));
            }
        }
    }

    private static String plain(BigDecimal usd) {
        return usd.stripTrailingZeros().toPlainString();
    }
}
