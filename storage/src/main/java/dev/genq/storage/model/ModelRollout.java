package dev.genq.storage.model;

import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Which version of each model the deployment serves, as configuration shared by the gateway (which pins
 * a version on each job at submit) and the workers (which run the pinned version, and their stable one
 * for jobs pinned to none). A canary version takes a share of the jobs for its model; the rest run the
 * stable version. Rolling back is setting the share to 0 (or removing the canary): no job already pinned
 * changes, and no worker restart is needed to stop routing new jobs to it.
 *
 * <pre>
 * genq.rollout.stable=emoji-base@0.27000         # name@version, comma-separated
 * genq.rollout.canary=emoji-base@0.28000
 * genq.rollout.canary-share=0.05                 # 0..1 of the jobs of a model that has a canary
 * </pre>
 */
@Startup // a malformed rollout stops the service at start, not at the first job
@ApplicationScoped
public class ModelRollout {
    /** Share granularity: job ids are bucketed into this many buckets. */
    private static final int BUCKETS = 10_000;

    @ConfigMapping(prefix = "genq.rollout")
    public interface Settings {
        Optional<List<String>> stable();

        Optional<List<String>> canary();

        @WithDefault("0")
        double canaryShare();
    }

    private final Map<String, String> stable;
    private final Map<String, String> canary;
    private final int canaryBuckets;

    @Inject
    public ModelRollout(Settings settings) {
        this(settings.stable().orElse(List.of()), settings.canary().orElse(List.of()), settings.canaryShare());
    }

    ModelRollout(List<String> stable, List<String> canary, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("genq.rollout.canary-share must be between 0 and 1, not " + share);
        }
        this.stable = parse("genq.rollout.stable", stable);
        this.canary = parse("genq.rollout.canary", canary);
        this.canaryBuckets = (int) Math.round(share * BUCKETS);
        this.canary.forEach((name, version) -> {
            if (version.equals(this.stable.get(name))) {
                throw new IllegalArgumentException("genq.rollout: " + name + "@" + version + " is both stable and canary");
            }
        });
    }

    /** The configured stable version of a model, if any. */
    public Optional<String> stableVersion(String model) {
        return Optional.ofNullable(stable.get(model));
    }

    /** The configured canary version of a model, if any. */
    public Optional<String> canaryVersion(String model) {
        return Optional.ofNullable(canary.get(model));
    }

    /** The share of a model's new jobs its canary takes (0..1, in steps of 1/10,000). */
    public double canaryShare() {
        return canaryBuckets / (double) BUCKETS;
    }

    /**
     * The version a new job for {@code model} is pinned to: the canary for the job ids in its share, else
     * the stable version, each only if {@code served(model, version)} (a worker registered it); empty when
     * the rollout names no served version, and the worker runs its default. Deterministic per job id.
     */
    public Optional<String> versionFor(String model, UUID jobId, BiPredicate<String, String> served) {
        String c = canary.get(model);
        if (c != null && inCanary(jobId) && served.test(model, c)) {
            return Optional.of(c);
        }
        String s = stable.get(model);
        return s != null && served.test(model, s) ? Optional.of(s) : Optional.empty();
    }

    boolean inCanary(UUID jobId) {
        return Math.floorMod(jobId.getMostSignificantBits() ^ jobId.getLeastSignificantBits(), BUCKETS) < canaryBuckets;
    }

    private static Map<String, String> parse(String property, List<String> entries) {
        Map<String, String> versions = new HashMap<>();
        for (String entry : entries) {
            String e = entry.strip();
            int at = e.lastIndexOf('@');
            if (at <= 0 || at == e.length() - 1) {
                throw new IllegalArgumentException(property + ": '" + e + "' is not name@version");
            }
            if (versions.put(e.substring(0, at), e.substring(at + 1)) != null) {
                throw new IllegalArgumentException(property + ": two versions of " + e.substring(0, at));
            }
        }
        return Map.copyOf(versions);
    }
}
