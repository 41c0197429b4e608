package dev.genq.worker.job;

import dev.genq.worker.WorkerSettings;
import dev.genq.storage.job.Stage;
import dev.genq.worker.metrics.WorkerMeters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * Records what each sample cost, stage by stage: its share of the stage's batched compute time, priced
 * per device-hour. The insert is a no-op for a (job, sample, stage) already recorded, so a duplicate
 * delivery can never bill twice. Must be called inside a transaction.
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
        // the price of the job's lane: bulk work pays bulk-price-factor of the device-hour
        @SuppressWarnings("unchecked")
        java.util.List<Object> charged = em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps,
                                          compute_seconds, device_class, price_per_device_hour, cost_usd)
                select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, p.price, round(cast(?7 as numeric) * p.price / 3600, 9)
                from (select cast(?9 as numeric) * case when j.priority = 'bulk' then cast(?10 as numeric) else 1 end as price
                      from jobs j where j.id = ?1) p
                on conflict (job_id, sample_idx, stage) do nothing
                returning cost_usd""")
                .setParameter(1, jobId).setParameter(2, sampleIdx).setParameter(3, stage.wire())
                .setParameter(4, tenantId).setParameter(5, modelVersion).setParameter(6, steps)
                .setParameter(7, share).setParameter(8, settings.deviceClass()).setParameter(9, settings.pricePerDeviceHour())
                .setParameter(10, settings.bulkPriceFactor())
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
