package dev.genq.storage.model;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import dev.genq.storage.sql.PeriodicSnapshot;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollout as Postgres holds it ({@code model_rollouts}), read at most every two seconds so pinning a job
 * costs no query and a change reaches every gateway within seconds; changes are recorded with who made them
 * and why ({@code model_rollout_changes}). Configuration ({@link Settings}) only seeds it, at a gateway's start.
 */
@ApplicationScoped
public class Rollouts {
    /** The configured rollout (see {@link ModelRollout}); applied by a gateway at start where it changed. */
    @ConfigMapping(prefix = "genq.rollout")
    public interface Settings {
        Optional<List<String>> stable();

        Optional<List<String>> canary();

        @WithDefault("0")
        double canaryShare();
    }

    /**
     * One recorded change.
     *
     * @param analysis   whether automatic canary analysis watches the rollout it set
     * @param statistics the evidence behind an automatic decision (JSON), null for other changes
     */
    public record Change(long id, String model, String stableVersion, String canaryVersion, double canaryShare,
                         boolean analysis, String changedBy, String reason, String statistics, OffsetDateTime changedAt) {
    }

    /** A canary taking a share under automatic analysis, and the change that started its window. */
    public record Watched(String model, String stableVersion, String canaryVersion, double canaryShare, long sinceChange,
                          OffsetDateTime since) {
    }

    /** Who an automatic decision is recorded as. */
    public static final String CANARY_ANALYSIS = "canary-analysis";
    /** How old {@link #current()} may be: a job pinned this long after a change may still follow the one before. */
    public static final Duration SNAPSHOT_AGE = Duration.ofSeconds(2);

    private final EntityManager em;
    private final PeriodicSnapshot<ModelRollout> snapshot;

    public Rollouts(EntityManager em) {
        this.em = em;
        this.snapshot = new PeriodicSnapshot<>(SNAPSHOT_AGE, () -> QuarkusTransaction.requiringNew().call(this::read));
    }

    /** The rollout now (at most two seconds old). */
    public ModelRollout current() {
        return snapshot.get();
    }

    /** Makes the next {@link #current()} read Postgres (after a change through this service). */
    public void forget() {
        snapshot.forget();
    }

    private ModelRollout read() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select model, stable_version, canary_version, canary_share from model_rollouts").getResultList();
        Map<String, ModelRollout.Entry> entries = new HashMap<>();
        for (Object[] r : rows) {
            if (r[1] != null || r[2] != null) {
                entries.put((String) r[0], new ModelRollout.Entry((String) r[1], (String) r[2], ((Number) r[3]).doubleValue()));
            }
        }
        return new ModelRollout(entries);
    }

    /**
     * Sets a model's rollout and records the change, in a transaction of its own; this service reads it at once.
     * {@code analysis} false holds automatic canary analysis off for it.
     */
    public void change(String model, ModelRollout.Entry entry, boolean analysis, String changedBy, String reason) {
        QuarkusTransaction.requiringNew().run(() -> write(model, entry, analysis, null, false, changedBy, reason, null));
        forget(); // after the commit: a read in between would have kept the old state for its two seconds
    }

    /**
     * Records an automatic decision in the caller's transaction, only if the rollout is still the one the
     * analysis watched (no change since {@code watched.sinceChange()}): an operator's change made meanwhile wins.
     * Call {@link #forget()} after the commit. @return the new change's id, or empty when the rollout moved on
     */
    public java.util.Optional<Long> decide(Watched watched, ModelRollout.Entry entry, String reason, String statistics) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            lock(watched.model());
            Number last = (Number) em.createNativeQuery("select coalesce(max(id), 0) from model_rollout_changes where model = ?1")
                    .setParameter(1, watched.model()).getSingleResult();
            if (last.longValue() != watched.sinceChange()) {
                return java.util.Optional.<Long>empty();
            }
            return java.util.Optional.of(write(watched.model(), entry, true, null, false, CANARY_ANALYSIS, reason, statistics));
        });
    }

    /** Every canary that takes a share under automatic analysis now (read from Postgres, not the snapshot). */
    public List<Watched> watched() {
        return QuarkusTransaction.joiningExisting().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select r.model, r.stable_version, r.canary_version, r.canary_share, c.id, c.changed_at
                    from model_rollouts r
                    join lateral (select id, changed_at from model_rollout_changes where model = r.model
                                  order by id desc limit 1) c on true
                    where r.analysis and r.canary_version is not null and r.stable_version is not null
                      and r.canary_share > 0
                    order by r.model""").getResultList();
            return rows.stream().map(r -> new Watched((String) r[0], (String) r[1], (String) r[2], ((Number) r[3]).doubleValue(),
                    ((Number) r[4]).longValue(), dev.genq.storage.sql.SqlTimestamps.utc(r[5]))).toList();
        });
    }

    /** Serializes the changes of one model (an operator's and the analysis' decisions). */
    private void lock(String model) {
        em.createNativeQuery("select pg_advisory_xact_lock(hashtext('genq-rollout:' || ?1))").setParameter(1, model).getSingleResult();
    }

    /** Writes the rollout and its change under the model's lock (re-entrant within a transaction); @return the change's id */
    private long write(String model, ModelRollout.Entry entry, boolean analysis, String configured, boolean setConfigured,
                       String changedBy, String reason, String statistics) {
        lock(model);
        em.createNativeQuery("""
                insert into model_rollouts (model, stable_version, canary_version, canary_share, configured, analysis)
                values (?1, ?2, ?3, ?4, ?5, ?7)
                on conflict (model) do update set stable_version = excluded.stable_version,
                    canary_version = excluded.canary_version, canary_share = excluded.canary_share,
                    configured = case when ?6 then excluded.configured else model_rollouts.configured end,
                    analysis = excluded.analysis, updated_at = now()""")
                .setParameter(1, model).setParameter(2, entry.stable()).setParameter(3, entry.canary())
                .setParameter(4, entry.canaryShare()).setParameter(5, configured).setParameter(6, setConfigured)
                .setParameter(7, analysis).executeUpdate();
        return ((Number) em.createNativeQuery("""
                insert into model_rollout_changes (model, stable_version, canary_version, canary_share, analysis, changed_by,
                                                   reason, statistics)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) returning id""")
                .setParameter(1, model).setParameter(2, entry.stable()).setParameter(3, entry.canary())
                .setParameter(4, entry.canaryShare()).setParameter(5, analysis).setParameter(6, changedBy)
                .setParameter(7, reason).setParameter(8, statistics).getSingleResult()).longValue();
    }

    /** Whether automatic canary analysis watches a model's rollout (true where none was set). */
    public boolean analysis(String model) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object> rows = em.createNativeQuery("select analysis from model_rollouts where model = ?1")
                    .setParameter(1, model).getResultList();
            return rows.isEmpty() || (Boolean) rows.get(0);
        });
    }

    /** A model's changes, newest first (at most {@code limit}). */
    public List<Change> history(String model, int limit) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select id, model, stable_version, canary_version, canary_share, analysis, changed_by, reason, statistics,
                           changed_at
                    from model_rollout_changes where model = ?1 order by id desc limit ?2""")
                    .setParameter(1, model).setParameter(2, limit).getResultList();
            return rows.stream().map(r -> new Change(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                    ((Number) r[4]).doubleValue(), (Boolean) r[5], (String) r[6], (String) r[7], (String) r[8],
                    dev.genq.storage.sql.SqlTimestamps.utc(r[9]))).toList();
        });
    }

    /**
     * Applies the configured rollout where it differs from what configuration last set (an unchanged
     * configuration leaves changes made through the API alone; a model taken out of it loses its rollout).
     * One gateway at a time (an advisory lock); a malformed configuration throws.
     */
    public void applyConfiguration(Settings settings) {
        ModelRollout configured = new ModelRollout(settings.stable().orElse(List.of()), settings.canary().orElse(List.of()),
                settings.canaryShare());
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("select pg_advisory_xact_lock(hashtext('genq-rollout-configuration'))").getSingleResult();
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select model, configured from model_rollouts where configured is not null")
                    .getResultList();
            Map<String, String> last = new HashMap<>();
            rows.forEach(r -> last.put((String) r[0], (String) r[1]));
            configured.entries().forEach((model, entry) -> {
                String described = describe(entry);
                if (!described.equals(last.get(model))) {
                    write(model, entry, true, described, true, "configuration", "genq.rollout at a gateway's start", null);
                }
            });
            last.keySet().stream().filter(model -> !configured.entries().containsKey(model)).forEach(model ->
                    write(model, new ModelRollout.Entry(null, null, 0), true, null, true, "configuration",
                            "no longer in genq.rollout at a gateway's start", null));
        });
        forget();
    }

    private static String describe(ModelRollout.Entry e) {
        return "stable=" + e.stable() + " canary=" + e.canary() + " share=" + e.canaryShare();
    }
}
