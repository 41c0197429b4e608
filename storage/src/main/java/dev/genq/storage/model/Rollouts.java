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

    /** One recorded change. */
    public record Change(long id, String model, String stableVersion, String canaryVersion, double canaryShare,
                         String changedBy, String reason, OffsetDateTime changedAt) {
    }

    private final EntityManager em;
    private final PeriodicSnapshot<ModelRollout> snapshot;

    public Rollouts(EntityManager em) {
        this.em = em;
        this.snapshot = new PeriodicSnapshot<>(Duration.ofSeconds(2), () -> QuarkusTransaction.requiringNew().call(this::read));
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

    /** Sets a model's rollout and records the change, in a transaction of its own; this service reads it at once. */
    public void change(String model, ModelRollout.Entry entry, String changedBy, String reason) {
        QuarkusTransaction.requiringNew().run(() -> write(model, entry, null, false, changedBy, reason));
        forget(); // after the commit: a read in between would have kept the old state for its two seconds
    }

    private void write(String model, ModelRollout.Entry entry, String configured, boolean setConfigured, String changedBy,
                       String reason) {
        em.createNativeQuery("""
                insert into model_rollouts (model, stable_version, canary_version, canary_share, configured)
                values (?1, ?2, ?3, ?4, ?5)
                on conflict (model) do update set stable_version = excluded.stable_version,
                    canary_version = excluded.canary_version, canary_share = excluded.canary_share,
                    configured = case when ?6 then excluded.configured else model_rollouts.configured end,
                    updated_at = now()""")
                .setParameter(1, model).setParameter(2, entry.stable()).setParameter(3, entry.canary())
                .setParameter(4, entry.canaryShare()).setParameter(5, configured).setParameter(6, setConfigured)
                .executeUpdate();
        em.createNativeQuery("""
                insert into model_rollout_changes (model, stable_version, canary_version, canary_share, changed_by, reason)
                values (?1, ?2, ?3, ?4, ?5, ?6)""")
                .setParameter(1, model).setParameter(2, entry.stable()).setParameter(3, entry.canary())
                .setParameter(4, entry.canaryShare()).setParameter(5, changedBy).setParameter(6, reason).executeUpdate();
    }

    /** A model's changes, newest first (at most {@code limit}). */
    public List<Change> history(String model, int limit) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                    select id, model, stable_version, canary_version, canary_share, changed_by, reason, changed_at
                    from model_rollout_changes where model = ?1 order by id desc limit ?2""")
                    .setParameter(1, model).setParameter(2, limit).getResultList();
            return rows.stream().map(r -> new Change(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                    ((Number) r[4]).doubleValue(), (String) r[5], (String) r[6], dev.genq.storage.sql.SqlTimestamps.utc(r[7])))
                    .toList();
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
                    write(model, entry, described, true, "configuration", "genq.rollout at a gateway's start");
                }
            });
            last.keySet().stream().filter(model -> !configured.entries().containsKey(model)).forEach(model ->
                    write(model, new ModelRollout.Entry(null, null, 0), null, true, "configuration",
                            "no longer in genq.rollout at a gateway's start"));
        });
        forget();
    }

    private static String describe(ModelRollout.Entry e) {
        return "stable=" + e.stable() + " canary=" + e.canary() + " share=" + e.canaryShare();
    }
}
