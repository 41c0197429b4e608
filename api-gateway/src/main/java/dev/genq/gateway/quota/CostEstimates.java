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
 * What a job will cost, for budget reservations, dry runs and the prices it is billed at ({@link #quote}): per stage, a {@link StageCost} fitted to
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
        return quote(model, mode, samples, baseSteps, baseSteps, size).estimate();
    }

    /**
     * What a job will cost ({@code estimate}: the dry run's and the reservation's figure) and the prices it is billed
     * at, per sample and per step each stage runs (the worker counts a masked run's step once, though it makes a few
     * model passes: {@code billedSteps} passes over {@code runSteps} steps), both from one reading of each stage's
     * rate. The prices sum to the estimate for the steps planned, and bill a canceled job's steps run at the same
     * price. A price is null for a stage this mode does not run or that has no measured rate yet (the worker then
     * bills its measured compute).
     */
    public Quote quote(String model, JobMode mode, int samples, int billedSteps, int runSteps, ImageSize size) {
        BigDecimal area = area(model, size);
        StageCost base = stageCost(model, Stage.BASE);
        BigDecimal baseUsd = base.of(samples, billedSteps).multiply(area);
        BigDecimal basePrice = base.measured() && runSteps > 0 && samples > 0 ? perSampleStep(baseUsd, samples * runSteps) : null;
        if (mode != JobMode.FULL) {
            return new Quote(baseUsd.setScale(9, RoundingMode.UP), new StepPrices(basePrice, null));
        }
        Part upscale = upscalePart(model, samples, area);
        return new Quote(baseUsd.add(upscale.usd()).setScale(9, RoundingMode.UP), new StepPrices(basePrice, upscale.price()));
    }

    /** The same for an upscale job of one released preview sample of {@code size} (null: native): its upscale only. */
    public Quote upscaleQuote(String model, ImageSize size) {
        Part upscale = upscalePart(model, 1, area(model, size));
        return new Quote(upscale.usd().setScale(9, RoundingMode.UP), new StepPrices(null, upscale.price()));
    }

    /** A job's estimated cost and the prices it is billed at. */
    public record Quote(BigDecimal estimate, StepPrices prices) {
    }

    /** USD per sample per step of the base and the upscale stage, at the interactive price; null: billed as measured. */
    public record StepPrices(BigDecimal base, BigDecimal upscale) {
    }

    /** A stage's cost for the job (unrounded) and its price per sample-step (null: not measured). */
    private record Part(BigDecimal usd, BigDecimal price) {
    }

    private Part upscalePart(String model, int samples, BigDecimal area) {
        StageCost upscale = stageCost(model, Stage.SUPER_RESOLUTION);
        return new Part(upscale.of(samples, upscaleSteps(upscale)).multiply(area), upscale.measured() && samples > 0
                ? perSampleStep(upscale.of(samples, 1).multiply(area), samples) : null);
    }

    private static BigDecimal perSampleStep(BigDecimal usd, int sampleSteps) {
        return usd.divide(BigDecimal.valueOf(sampleSteps), 15, RoundingMode.HALF_EVEN);
    }

    /** An upscale job of one released preview sample: the super-resolution stage only. */
    public BigDecimal upscale(String model) {
        return upscaleQuote(model, null).estimate();
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
        return upscaleSteps(stageCost(model, Stage.SUPER_RESOLUTION));
    }

    private int upscaleSteps(StageCost upscale) {
        if (upscale.measured() && upscale.recentSteps() > 0) {
            return upscale.recentSteps();
        }
        return catalog.names(Stage.SUPER_RESOLUTION.modelKind()).stream().flatMap(n -> catalog.find(n).stream())
                .mapToInt(e -> e.defaultSteps).max().orElse(0);
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
