package dev.genq.worker.job;

import dev.genq.worker.WorkerSettings;
import dev.genq.storage.job.Stage;
import dev.genq.worker.metrics.WorkerMeters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.UUID;

/**
 * Records what each sample cost, stage by stage: its share of the stage's batched compute time, priced
 * per device-hour. The insert is a no-op for a (job, sample, stage) already recorded, so a duplicate
 * delivery can never bill twice. Must be called inside a transaction.
 */
@ApplicationScoped
public class CostMeter {
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

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
        BigDecimal price = settings.pricePerDeviceHour();
        BigDecimal cost = BigDecimal.valueOf(share).multiply(price, MathContext.DECIMAL64)
                .divide(SECONDS_PER_HOUR, 9, RoundingMode.HALF_UP);
        boolean inserted = em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps,
                                          compute_seconds, device_class, price_per_device_hour, cost_usd)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                on conflict (job_id, sample_idx, stage) do nothing""")
                .setParameter(1, jobId).setParameter(2, sampleIdx).setParameter(3, stage.wire())
                .setParameter(4, tenantId).setParameter(5, modelVersion).setParameter(6, steps)
                .setParameter(7, share).setParameter(8, settings.deviceClass()).setParameter(9, price)
                .setParameter(10, cost)
                .executeUpdate() == 1;
        if (inserted) {
            // what the cost rows charge, for the cost panels and alerts (sample_costs stays the ledger:
            // a transaction rolled back after this line would make the counters run slightly ahead of it)
            meters.costUsd(stage).increment(cost.doubleValue());
            meters.computeSeconds(stage).increment(share);
        }
    }
}
