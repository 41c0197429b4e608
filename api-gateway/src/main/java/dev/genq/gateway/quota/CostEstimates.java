package dev.genq.gateway.quota;

import dev.genq.storage.job.JobMode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a job will probably cost, for budget reservations: samples × steps × the model's measured cost per
 * sample-step (all stages, billable, over its last {@code estimate-history-jobs} succeeded jobs of that
 * mode), or {@code estimated-cost-per-sample-step} for a model with no history yet. Read at most once per
 * {@code estimate-refresh} per model and mode.
 */
@ApplicationScoped
public class CostEstimates {
    private record Key(String model, JobMode mode) {
    }

    private record Cached(PerSampleStep value, long expiresAtNanos) {
    }

    /** USD per sample per step of a job, and whether it was measured (else the configured default). */
    public record PerSampleStep(BigDecimal usd, boolean measured) {
    }

    private final EntityManager em;
    private final TenantQuotas.Settings settings;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    public CostEstimates(EntityManager em, TenantQuotas.Settings settings) {
        this.em = em;
        this.settings = settings;
    }

    public BigDecimal estimate(String model, JobMode mode, int samples, int steps) {
        return perSampleStep(model, mode).usd().multiply(BigDecimal.valueOf((long) samples * steps)).setScale(9, RoundingMode.UP);
    }

    public PerSampleStep perSampleStep(String model, JobMode mode) {
        Key key = new Key(model, mode);
        Cached hit = cache.get(key);
        if (hit != null && hit.expiresAtNanos - System.nanoTime() > 0) {
            return hit.value;
        }
        BigDecimal measured = QuarkusTransaction.joiningExisting().call(() -> measured(key));
        PerSampleStep value = measured != null ? new PerSampleStep(measured, true)
                : new PerSampleStep(settings.estimatedCostPerSampleStep(), false);
        cache.put(key, new Cached(value, System.nanoTime() + settings.estimateRefresh().toNanos()));
        return value;
    }

    private BigDecimal measured(Key key) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select sum(c.cost_usd / j.steps), count(distinct (c.job_id, c.sample_idx))
                from sample_costs c join jobs j on j.id = c.job_id
                where c.billable and j.id in (select id from jobs where model = ?1 and mode = ?2 and status = 'succeeded'
                                                and steps > 0 order by created_at desc limit ?3)""")
                .setParameter(1, key.model()).setParameter(2, key.mode().wire()).setParameter(3, settings.estimateHistoryJobs())
                .getResultList();
        Object[] r = rows.get(0);
        long samples = ((Number) r[1]).longValue();
        return samples == 0 || r[0] == null ? null
                : ((BigDecimal) r[0]).divide(BigDecimal.valueOf(samples), 12, RoundingMode.UP);
    }
}
