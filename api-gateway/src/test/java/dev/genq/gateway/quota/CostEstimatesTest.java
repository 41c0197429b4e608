package dev.genq.gateway.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.Stage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The estimate from recorded history: jobs written as a worker would have billed them, for a model of its own. */
@QuarkusTest
class CostEstimatesTest {
    static final String TENANT = "00000000-0000-0000-0000-000000000001";
    static final double PRICE = 0.36; // USD per device-hour
    /** What a step costs this model's worker: 3 µUSD for the batch plus 2 µUSD per sample in it. */
    static final double PER_STEP = 3e-6;
    static final double PER_SAMPLE_STEP = 2e-6;

    final EntityManager em;
    final CostEstimates estimates;

    CostEstimatesTest(EntityManager em, CostEstimates estimates) {
        this.em = em;
        this.estimates = estimates;
    }

    @Test
    void aJobIsEstimatedByItsSamplesAndStepsFromTheModelsRecentJobs() {
        String model = "fit-" + UUID.randomUUID();
        Instant t = Instant.parse("2031-02-01T00:00:00Z");
        // the oldest: the worker's first job, three times slower than the rest, left out of the fit
        job(model, 2, 8, "interactive", 3, t);
        int[][] jobs = {{1, 8}, {2, 25}, {4, 12}, {2, 4}, {1, 30}, {4, 8}};
        for (int i = 0; i < jobs.length; i++) {
            job(model, jobs[i][0], jobs[i][1], "interactive", 1, t.plusSeconds(i + 1));
        }
        // a bulk job pays half the device-hour: priced back at the interactive price, it fits the same line
        job(model, 4, 20, "bulk", 1, t.plusSeconds(10));

        StageCost base = estimates.stageCost(model, Stage.BASE);
        assertTrue(base.measured());
        assertEquals(PER_STEP, base.perStep().doubleValue(), 1e-9, "per step: " + base);
        assertEquals(PER_SAMPLE_STEP, base.perSampleStep().doubleValue(), 1e-9, "per sample-step: " + base);
        // 3 samples × 12 steps: 12 × (3 + 3 × 2) µUSD; a sample-step average over the history would say otherwise
        BigDecimal estimate = estimates.estimate(model, JobMode.PREVIEW, 3, 12);
        assertEquals(12 * (PER_STEP + 3 * PER_SAMPLE_STEP), estimate.doubleValue(), 1e-8, "estimate " + estimate);
        // no upscale history for this model: the configured per-sample-step default, said so
        assertFalse(estimates.measured(model, JobMode.FULL));
        assertTrue(estimates.measured(model, JobMode.PREVIEW));
    }

    @Test
    void aJobIsPricedPerSampleStepAtItsEstimateAndTheFitReadsComputeNotWhatWasBilled() {
        String model = "price-" + UUID.randomUUID();
        Instant t = Instant.parse("2031-03-01T00:00:00Z");
        int[][] jobs = {{1, 8}, {2, 25}, {4, 12}, {2, 4}, {1, 30}, {4, 8}};
        for (int i = 0; i < jobs.length; i++) {
            job(model, jobs[i][0], jobs[i][1], "interactive", 1, t.plusSeconds(i + 1));
        }
        // the newest jobs were billed at quotes 5x their compute: the rate follows what the steps used
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update sample_costs set cost_usd = cost_usd * 5 where model_version = ?1").setParameter(1, model + "@1").executeUpdate());
        StageCost base = estimates.stageCost(model, Stage.BASE);
        assertEquals(PER_STEP, base.perStep().doubleValue(), 1e-9, "per step: " + base);
        assertEquals(PER_SAMPLE_STEP, base.perSampleStep().doubleValue(), 1e-9, "per sample-step: " + base);

        // 3 samples × 12 steps: each sample's 12 steps at the price sum to the estimate
        CostEstimates.Quote quote = estimates.quote(model, JobMode.PREVIEW, 3, 12, 12, null);
        CostEstimates.StepPrices prices = quote.prices();
        BigDecimal estimate = estimates.estimate(model, JobMode.PREVIEW, 3, 12);
        assertEquals(0, estimate.compareTo(quote.estimate()), quote + " vs " + estimate);
        assertEquals(estimate.doubleValue(), prices.base().doubleValue() * 3 * 12, 1e-12, prices + " vs " + estimate);
        assertEquals((PER_STEP / 3 + PER_SAMPLE_STEP), prices.base().doubleValue(), 1e-12);
        // a masked run makes 3 passes a step, and the worker counts its steps: 3 times the price per step
        CostEstimates.StepPrices masked = estimates.quote(model, JobMode.PREVIEW, 3, 36, 12, null).prices();
        assertEquals(3 * prices.base().doubleValue(), masked.base().doubleValue(), 1e-12);
        // no upscale in a preview; no measured upscale rate for this model: the full job's upscale is billed as used
        assertEquals(null, prices.upscale());
        assertEquals(null, estimates.quote(model, JobMode.FULL, 3, 12, 12, null).prices().upscale());
        assertEquals(null, estimates.upscaleQuote(model, null).prices().upscale());
        // a model without history quotes nothing: its first jobs are billed as used
        assertEquals(null, estimates.quote("no-history-" + UUID.randomUUID(), JobMode.PREVIEW, 1, 10, 10, null).prices().base());
    }

    /** A succeeded job of {@code samples} × {@code steps} billed as the worker would, {@code slower} times the line. */
    private void job(String model, int samples, int steps, String priority, double slower, Instant createdAt) {
        UUID id = UUID.randomUUID();
        double factor = "bulk".equals(priority) ? 0.5 : 1;
        // each sample's share of every step: (batch part + its own part) / samples, as the engine divides it
        double usd = slower * steps * (PER_STEP + samples * PER_SAMPLE_STEP) / samples * factor;
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("""
                    insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler,
                                      model, priority, created_at)
                    values (?1, ?2, 'succeeded', 'preview', 'a cost', ?3, 1, ?4, 3, 'ddim', ?5, ?6, ?7)""")
                    .setParameter(1, id).setParameter(2, UUID.fromString(TENANT)).setParameter(3, samples)
                    .setParameter(4, steps).setParameter(5, model).setParameter(6, priority)
                    .setParameter(7, java.sql.Timestamp.from(createdAt)).executeUpdate();
            for (int i = 0; i < samples; i++) {
                em.createNativeQuery("""
                        insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                                  device_class, price_per_device_hour, cost_usd)
                        values (?1, ?2, 'base', ?3, ?4, ?5, ?6, 'cpu', ?7, ?8)""")
                        .setParameter(1, id).setParameter(2, i).setParameter(3, UUID.fromString(TENANT))
                        .setParameter(4, model + "@1").setParameter(5, steps).setParameter(6, usd / (PRICE * factor) * 3600)
                        .setParameter(7, BigDecimal.valueOf(PRICE * factor))
                        .setParameter(8, BigDecimal.valueOf(usd).setScale(9, java.math.RoundingMode.HALF_EVEN)).executeUpdate();
            }
        });
    }
}
