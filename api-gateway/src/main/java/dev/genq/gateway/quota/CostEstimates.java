package dev.genq.gateway.quota;

import dev.genq.gateway.model.ModelCatalog;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.Stage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a job will probably cost, for budget reservations and dry runs: per stage, samples × the steps that stage
 * runs × its measured cost per sample-step (billable cost over steps of that stage's rows, over the model's last
 * {@code estimate-history-jobs} succeeded jobs running it), or {@code estimated-cost-per-sample-step} for a stage
 * with no history yet. A full job adds its upscale: the super-resolution model's own steps, whatever the base steps
 * (the worker runs that model's default), so stages are measured apart. Read at most once per
 * {@code estimate-refresh} per model and stage.
 */
@ApplicationScoped
public class CostEstimates {
    private record Key(String model, Stage stage) {
    }

    private record Cached(PerSampleStep value, long expiresAtNanos) {
    }

    /** USD per sample per step of one stage, and whether it was measured (else the configured default). */
    public record PerSampleStep(BigDecimal usd, boolean measured) {
    }

    private final EntityManager em;
    private final TenantQuotas.Settings settings;
    private final ModelCatalog catalog;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    public CostEstimates(EntityManager em, TenantQuotas.Settings settings, ModelCatalog catalog) {
        this.em = em;
        this.settings = settings;
        this.catalog = catalog;
    }

    /** A job of {@code samples} × {@code baseSteps} (the steps billed for its base stage), plus its upscale in full mode. */
    public BigDecimal estimate(String model, JobMode mode, int samples, int baseSteps) {
        BigDecimal perSample = perSampleStep(model, Stage.BASE).usd().multiply(BigDecimal.valueOf(baseSteps));
        if (mode == JobMode.FULL) {
            perSample = perSample.add(upscalePerSample(model));
        }
        return perSample.multiply(BigDecimal.valueOf(samples)).setScale(9, RoundingMode.UP);
    }

    /** An upscale job of one released preview sample: the super-resolution stage only. */
    public BigDecimal upscale(String model) {
        return upscalePerSample(model).setScale(9, RoundingMode.UP);
    }

    /** Whether every stage a job of this mode runs has a measured rate. */
    public boolean measured(String model, JobMode mode) {
        return perSampleStep(model, Stage.BASE).measured()
                && (mode != JobMode.FULL || perSampleStep(model, Stage.SUPER_RESOLUTION).measured());
    }

    /**
     * The steps a full job's upscale runs: the super-resolution model's default (the worker runs its configured one;
     * with several served, the most of their defaults, so a reservation is not short), 0 while none is served.
     */
    public int upscaleSteps() {
        return catalog.names(Stage.SUPER_RESOLUTION.modelKind()).stream().flatMap(n -> catalog.find(n).stream())
                .mapToInt(e -> e.defaultSteps).max().orElse(0);
    }

    private BigDecimal upscalePerSample(String model) {
        return perSampleStep(model, Stage.SUPER_RESOLUTION).usd().multiply(BigDecimal.valueOf(upscaleSteps()));
    }

    /**
     * One stage's cost per sample-step for jobs of {@code model} (its base model), over its last succeeded jobs that
     * billed that stage (a cache answer billed nothing, an upscale job no base stage).
     */
    public PerSampleStep perSampleStep(String model, Stage stage) {
        Key key = new Key(model, stage);
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
                select sum(c.cost_usd), sum(c.steps)
                from sample_costs c
                where c.billable and c.stage = ?2 and c.job_id in (
                    select j.id from jobs j where j.model = ?1 and j.status = 'succeeded' and j.steps > 0
                      and exists (select 1 from sample_costs r where r.job_id = j.id and r.stage = ?2 and r.billable)
                    order by j.created_at desc limit ?3)""")
                .setParameter(1, key.model()).setParameter(2, key.stage().wire()).setParameter(3, settings.estimateHistoryJobs())
                .getResultList();
        Object[] r = rows.get(0);
        long steps = r[1] == null ? 0 : ((Number) r[1]).longValue();
        return steps == 0 || r[0] == null ? null : ((BigDecimal) r[0]).divide(BigDecimal.valueOf(steps), 12, RoundingMode.UP);
    }
}
