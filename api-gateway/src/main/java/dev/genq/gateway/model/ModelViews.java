package dev.genq.gateway.model;

import dev.genq.gateway.job.JobLimits;
import dev.genq.gateway.quota.CostEstimates;
import dev.genq.gateway.quota.StageCost;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelRollout;
import dev.genq.storage.model.Rollouts;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Builds {@link ModelView}s from the catalog, the rollout, the gateway's job limits and the measured costs. */
@ApplicationScoped
public class ModelViews {
    private final ModelCatalog catalog;
    private final Rollouts rollouts;
    private final JobLimits limits;
    private final CostEstimates costs;

    public ModelViews(ModelCatalog catalog, Rollouts rollouts, JobLimits limits, CostEstimates costs) {
        this.catalog = catalog;
        this.rollouts = rollouts;
        this.limits = limits;
        this.costs = costs;
    }

    /** Every model, by name. */
    public List<ModelView> all() {
        Map<String, List<ModelEntry>> byName = catalog.all().stream()
                .collect(Collectors.groupingBy(e -> e.name, LinkedHashMap::new, Collectors.toList()));
        return byName.values().stream().map(this::view).sorted(Comparator.comparing(ModelView::name)).toList();
    }

    /** One model, or 404 model_not_found. */
    public ModelView find(String name) {
        return view(catalog.versions(name));
    }

    /** @param versions one model's registered versions, oldest registration first */
    private ModelView view(List<ModelEntry> versions) {
        ModelEntry latest = versions.get(versions.size() - 1);
        String name = latest.name;
        boolean textToImage = latest.kind.equals(Stage.BASE.modelKind());
        ModelRollout rollout = rollouts.current();
        String stable = served(versions, rollout.stableVersion(name));
        String canary = served(versions, rollout.canaryVersion(name));
        boolean isDefault = textToImage ? name.equals(limits.defaultModel())
                : catalog.names(Stage.SUPER_RESOLUTION.modelKind()).size() == 1;
        ModelView.Cost cost = null;
        if (textToImage) {
            StageCost base = costs.stageCost(name, Stage.BASE);
            boolean upscales = !catalog.names(Stage.SUPER_RESOLUTION.modelKind()).isEmpty();
            StageCost upscale = upscales ? costs.stageCost(name, Stage.SUPER_RESOLUTION) : null;
            cost = new ModelView.Cost(base.perSampleStep(), base.perStep(), base.measured(),
                    upscale == null ? null : upscale.perSampleStep(), upscale == null ? null : upscale.perStep(),
                    upscale == null ? null : upscale.measured(), upscale == null ? null : costs.upscaleSteps(name));
        }
        List<ModelView.Version> versionViews = versions.stream().map(e -> new ModelView.Version(e.version,
                        e.version.equals(stable) ? "stable" : e.version.equals(canary) ? "canary" : "registered",
                        e.registeredAt, e.resolution, e.sizeList().stream().map(Object::toString).toList(),
                        e.samplerList(), e.defaultSampler, 1,
                        Math.min(limits.maxSteps(), e.maxSteps), e.defaultSteps, e.defaultGuidanceScale,
                        e.license == null || e.license.isBlank() ? null : e.license, e.imageInputs))
                .toList();
        return new ModelView(name, latest.kind, isDefault, latest.version, stable, canary,
                canary == null ? null : rollout.canaryShare(name), limits.maxSamples(), limits.maxGuidanceScale(),
                catalog.sizes(name).stream().map(Object::toString).toList(), cost, versionViews);
    }

    private static String served(List<ModelEntry> versions, Optional<String> named) {
        return named.filter(v -> versions.stream().anyMatch(e -> e.version.equals(v))).orElse(null);
    }
}
