package dev.genq.gateway.quota;

import dev.genq.storage.job.ImageSize;

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
 * What a job will cost, for budget reservations, dry runs and the prices it is billed at ({@link #stepPrices}): per stage, a {@link StageCost} fitted to
 * the model's last {@code estimate-history-jobs} succeeded jobs that ran it ({@link StageCostFit}: a part per step
 * and a part per sample-step, because the worker shares each step's time among the samples in its batch), or
 * {@code estimated-cost-per-sample-step} for a stage with no history yet. A full job adds its upscale: the
 * super-resolution model's own steps, whatever the base steps (the worker runs that model's default), so stages
 * are measured apart. A job of another size than the model's native square costs its share of pixels (a history job's
 * cost is divided by its own share before the fit): compute per step grows about as the pixels. History is priced at the interactive price (a bulk job's cost scaled to the newest
 * interactive job's price per device-hour; as billed when the history holds no interactive job), so bulk jobs' discount does not pull the estimate down. Read at most once per
 * {@code estimate-refresh} per model and stage.
 */
@ApplicationScoped
public class CostEstimates {
    private record Key(String model, Stage stage) {
    }

    private record Cached(StageCost value, long expiresAtNanos) {
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
        return estimate(model, mode, samples, baseSteps, null);
    }

    /** The same at {@code size} (null: the model's native square), priced by its share of the native pixels. */
    public BigDecimal estimate(String model, JobMode mode, int samples, int baseSteps, ImageSize size) {
        BigDecimal total = stageCost(model, Stage.BASE).of(samples, baseSteps);
        if (mode == JobMode.FULL) {
            total = total.add(upscaleOf(model, samples));
        }
        return total.multiply(area(model, size)).setScale(9, RoundingMode.UP);
    }

    /**
     * The prices a job is billed at, per sample and per step each stage runs (the worker counts a masked run's step once,
     * though it makes a few model passes: {@code billedSteps} passes over {@code runSteps} steps). They sum to the
     * estimate for the steps planned, and bill a canceled job's steps run at the same price. Null for a stage this mode
     * does not run or that has no measured rate yet (the worker then bills its measured compute).
     */
    public StepPrices stepPrices(String model, JobMode mode, int samples, int billedSteps, int runSteps, ImageSize size) {
        StageCost base = stageCost(model, Stage.BASE);
        BigDecimal basePrice = !base.measured() || runSteps <= 0 || samples <= 0 ? null
                : perSampleStep(base.of(samples, billedSteps), samples * runSteps, model, size);
        return new StepPrices(basePrice, mode == JobMode.FULL ? upscalePrice(model, samples, size) : null);
    }

    /** The price of an upscale job of one released preview sample of {@code size} (null: native), per step. */
    public StepPrices upscalePrices(String model, ImageSize size) {
        return new StepPrices(null, upscalePrice(model, 1, size));
    }

    private BigDecimal upscalePrice(String model, int samples, ImageSize size) {
        StageCost upscale = stageCost(model, Stage.SUPER_RESOLUTION);
        return upscale.measured() && samples > 0 ? perSampleStep(upscale.of(samples, 1), samples, model, size) : null;
    }

    private BigDecimal perSampleStep(BigDecimal stage, int sampleSteps, String model, ImageSize size) {
        return stage.multiply(area(model, size)).divide(BigDecimal.valueOf(sampleSteps), 15, RoundingMode.HALF_EVEN);
    }

    /** USD per sample per step of the base and the upscale stage, at the interactive price; null: billed as measured. */
    public record StepPrices(BigDecimal base, BigDecimal upscale) {
    }

    /** An upscale job of one released preview sample: the super-resolution stage only. */
    public BigDecimal upscale(String model) {
        return upscale(model, null);
    }

    /** An upscale of one released preview sample of {@code size} (null: native). */
    public BigDecimal upscale(String model, ImageSize size) {
        return upscaleOf(model, 1).multiply(area(model, size)).setScale(9, RoundingMode.UP);
    }

    /** {@code size}'s pixels over the model's native square's: 1 for null or an unknown model. */
    private BigDecimal area(String model, ImageSize size) {
        return BigDecimal.valueOf(areaShare(nativeSide(model), size == null ? null : size.width(),
                size == null ? null : size.height()));
    }

    private int nativeSide(String model) {
        return catalog.find(model).map(e -> e.resolution).orElse(0);
    }

    private static double areaShare(int nativeSide, Integer width, Integer height) {
        return width == null || height == null || nativeSide <= 0 ? 1.0 : (double) width * height / ((double) nativeSide * nativeSide);
    }

    /** Whether every stage a job of this mode runs has a measured rate. */
    public boolean measured(String model, JobMode mode) {
        return stageCost(model, Stage.BASE).measured()
                && (mode != JobMode.FULL || stageCost(model, Stage.SUPER_RESOLUTION).measured());
    }

    /**
     * The steps a full job of {@code model} will upscale for: the worker runs its configured super-resolution model's
     * default steps, which the gateway learns from the model's recent upscales (their cost rows); before any, the most
     * of the served super-resolution models' defaults, so a reservation is not short; 0 while none is served.
     */
    public int upscaleSteps(String model) {
        StageCost upscale = stageCost(model, Stage.SUPER_RESOLUTION);
        if (upscale.measured() && upscale.recentSteps() > 0) {
            return upscale.recentSteps();
        }
        return catalog.names(Stage.SUPER_RESOLUTION.modelKind()).stream().flatMap(n -> catalog.find(n).stream())
                .mapToInt(e -> e.defaultSteps).max().orElse(0);
    }

    private BigDecimal upscaleOf(String model, int samples) {
        return stageCost(model, Stage.SUPER_RESOLUTION).of(samples, upscaleSteps(model));
    }

    /**
     * One stage's cost for jobs of {@code model} (its base model), fitted to its last succeeded jobs that billed
     * that stage (a cache answer billed nothing, an upscale job no base stage).
     */
    public StageCost stageCost(String model, Stage stage) {
        Key key = new Key(model, stage);
        Cached hit = cache.get(key);
        if (hit != null && hit.expiresAtNanos - System.nanoTime() > 0) {
            return hit.value;
        }
        List<StageCostFit.Observation> history = QuarkusTransaction.joiningExisting().call(() -> history(key));
        StageCostFit.Line line = StageCostFit.fit(history);
        StageCost value = line == null ? new StageCost(BigDecimal.ZERO, settings.estimatedCostPerSampleStep(), false, 0)
                : new StageCost(usd(line.perStep()), usd(line.perSampleStep()), true, history.get(0).steps());
        cache.put(key, new Cached(value, System.nanoTime() + settings.estimateRefresh().toNanos()));
        return value;
    }

    private static BigDecimal usd(double value) {
        // to the nearest: the fit's doubles carry 1e-22 of noise that rounding up would make 1e-12
        return BigDecimal.valueOf(value).setScale(12, RoundingMode.HALF_EVEN);
    }

    /**
     * The model's recent jobs' use of the stage, newest first, priced at the newest interactive job's price: their
     * measured compute, not what they were billed (the quote: a fit to quotes would never follow the machine).
     */
    private List<StageCostFit.Observation> history(Key key) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select count(*), max(c.steps), cast(sum(c.compute_seconds * c.price_per_device_hour / 3600) as numeric), max(c.price_per_device_hour),
                       j.priority = 'bulk', j.width, j.height
                from jobs j join sample_costs c on c.job_id = j.id and c.stage = ?2 and c.billable
                where j.id in (
                    select j2.id from jobs j2 where j2.model = ?1 and j2.status = 'succeeded' and j2.steps > 0
                      and exists (select 1 from sample_costs r where r.job_id = j2.id and r.stage = ?2 and r.billable)
                    order by j2.created_at desc limit ?3)
                group by j.id, j.priority, j.created_at, j.width, j.height
                order by j.created_at desc, j.id""")
                .setParameter(1, key.model()).setParameter(2, key.stage().wire()).setParameter(3, settings.estimateHistoryJobs())
                .getResultList();
        // no interactive job in the history: the costs stay as billed (the bulk price; the estimate errs low)
        double price = rows.stream().filter(r -> !(Boolean) r[4]).findFirst()
                .map(r -> ((BigDecimal) r[3]).doubleValue()).orElse(Double.NaN);
        int side = nativeSide(key.model());
        return rows.stream().map(r -> new StageCostFit.Observation(((Number) r[0]).intValue(), ((Number) r[1]).intValue(),
                scaled((BigDecimal) r[2], (BigDecimal) r[3], price)
                        / areaShare(side, (Integer) r[5], (Integer) r[6]))).toList();
    }

    private static double scaled(BigDecimal usd, BigDecimal atPrice, double price) {
        return atPrice.signum() == 0 || Double.isNaN(price) ? usd.doubleValue() : usd.doubleValue() * price / atPrice.doubleValue();
    }
}
