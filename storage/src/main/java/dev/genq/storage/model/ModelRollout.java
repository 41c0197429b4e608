package dev.genq.storage.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Which version of each model new jobs get: a stable version, and optionally a canary that takes a share of
 * the model's new jobs (deterministic per job id). The gateway pins each job at submit; workers run the
 * pinned version, and their stable one for jobs pinned to none. Rolling back is setting the share to 0 (or
 * removing the canary): no job already pinned changes. An immutable value; the state lives in Postgres
 * ({@link Rollouts}), seeded from configuration:
 *
 * <pre>
 * genq.rollout.stable=emoji-base@0.27000         # name@version, comma-separated
 * genq.rollout.canary=emoji-base@0.28000
 * genq.rollout.canary-share=0.05                 # 0..1 of the jobs of each model that has a canary
 * </pre>
 */
public final class ModelRollout {
    /** Share granularity: job ids are bucketed into this many buckets. */
    static final int BUCKETS = 10_000;

    public static final ModelRollout NONE = new ModelRollout(Map.of());

    /** One model's rollout; a version may be null (none named). */
    public record Entry(String stable, String canary, double canaryShare) {
        public Entry {
            if (!(canaryShare >= 0 && canaryShare <= 1)) {
                throw new IllegalArgumentException("the canary share must be between 0 and 1, not " + canaryShare);
            }
        }

        int canaryBuckets() {
            return (int) Math.round(canaryShare * BUCKETS);
        }
    }

    private final Map<String, Entry> entries;

    public ModelRollout(Map<String, Entry> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** From the configuration's lists (as in the class comment); malformed ones throw, naming the property. */
    public ModelRollout(List<String> stable, List<String> canary, double share) {
        this(fromLists(stable, canary, share));
    }

    private static Map<String, Entry> fromLists(List<String> stableList, List<String> canaryList, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("genq.rollout.canary-share must be between 0 and 1, not " + share);
        }
        Map<String, String> stable = parse("genq.rollout.stable", stableList);
        Map<String, String> canary = parse("genq.rollout.canary", canaryList);
        Map<String, Entry> entries = new HashMap<>();
        for (String name : new TreeSet<>(union(stable, canary))) {
            String c = canary.get(name);
            if (c != null && c.equals(stable.get(name))) {
                throw new IllegalArgumentException("genq.rollout: " + name + "@" + c + " is both stable and canary");
            }
            entries.put(name, new Entry(stable.get(name), c, c == null ? 0 : share));
        }
        return entries;
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> names = new java.util.HashSet<>(a.keySet());
        names.addAll(b.keySet());
        return names;
    }

    /** Every model this rollout names. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The stable version of a model, if any. */
    public Optional<String> stableVersion(String model) {
        return Optional.ofNullable(entries.get(model)).map(Entry::stable);
    }

    /** The canary version of a model, if any. */
    public Optional<String> canaryVersion(String model) {
        return Optional.ofNullable(entries.get(model)).map(Entry::canary);
    }

    /** The share of a model's new jobs its canary takes (0 without one). */
    public double canaryShare(String model) {
        Entry e = entries.get(model);
        return e == null || e.canary() == null ? 0 : e.canaryShare();
    }

    /**
     * The version a new job for {@code model} is pinned to: the canary for the job ids in its share, else
     * the stable version, each only if {@code served(model, version)} (a worker registered it); empty when
     * the rollout names no served version, and the worker runs its default. Deterministic per job id.
     */
    public Optional<String> versionFor(String model, UUID jobId, BiPredicate<String, String> served) {
        Entry e = entries.get(model);
        if (e == null) {
            return Optional.empty();
        }
        if (e.canary() != null && inCanary(jobId, e.canaryBuckets()) && served.test(model, e.canary())) {
            return Optional.of(e.canary());
        }
        return e.stable() != null && served.test(model, e.stable()) ? Optional.of(e.stable()) : Optional.empty();
    }

    static boolean inCanary(UUID jobId, int canaryBuckets) {
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
