package dev.genq.worker.job;

import dev.genq.worker.WorkerSettings;
import dev.genq.storage.job.Stage;
import dev.genq.worker.metrics.WorkerMeters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * Records what each sample cost, stage by stage: the steps it ran at the price per step its job was quoted at
 * submit (the estimate a dry run gives), and what it used: its share of the stage's batched compute time, priced
 * per device-hour. A stage quoted no price (no measured rate yet when the job was accepted) is charged as used. The
 * insert is a no-op for a (job, sample, stage) already recorded, so a duplicate delivery can never bill twice. Must
 * be called inside a transaction.
 */
@ApplicationScoped
public class CostMeter {
    private final WorkerSettings settings;
    private final EntityManager em;
    private final WorkerMeters meters;

    public CostMeter(WorkerSettings settings, EntityManager em, WorkerMeters meters) {
        this.settings = settings;
        this.em = em;
        this.meters = meters;
    }

    /** One sample's use of one stage: the steps it ran and its share of every batched step's wall time. */
    public void record(UUID jobId, UUID tenantId, int sampleIdx, Stage stage, String modelVersion, int steps,
                       double seconds) {
        double share = seconds;
        // the job's lane pays its price factor (the gateway's, set at submit) of either price
        @SuppressWarnings("unchecked")
        java.util.List<Object> charged = em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps,
                                          compute_seconds, device_class, price_per_device_hour, usd_per_step, cost_usd)
                select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, p.price, p.per_step,
                       round(coalesce(?6 * p.per_step, cast(?7 as numeric) * p.price / 3600), 9)
                from (select cast(?9 as numeric) * f.factor as price,
                             case when cast(?3 as text) = 'base' then j.base_usd_per_step else j.upscale_usd_per_step end
                                 * f.factor as per_step
                      from jobs j cross join lateral (select coalesce(j.price_factor, 1) as factor) f
                      where j.id = ?1) p
                on conflict (job_id, sample_idx, stage) do nothing
                returning cost_usd""")
                .setParameter(1, jobId).setParameter(2, sampleIdx).setParameter(3, stage.wire())
                .setParameter(4, tenantId).setParameter(5, modelVersion).setParameter(6, steps)
                .setParameter(7, share).setParameter(8, settings.deviceClass()).setParameter(9, settings.pricePerDeviceHour())
                .getResultList();
        boolean inserted = !charged.isEmpty();
        BigDecimal cost = inserted ? (BigDecimal) charged.get(0) : BigDecimal.ZERO;
        if (inserted) {
            // what the cost rows charge, for the cost panels and alerts (sample_costs stays the ledger:
            // a transaction rolled back after this line would make the counters run slightly ahead of it)
            meters.costUsd(stage).increment(cost.doubleValue());
            meters.computeSeconds(stage).increment(share);
        }
    }
}
