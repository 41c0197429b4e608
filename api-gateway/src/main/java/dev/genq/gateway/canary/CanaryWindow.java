package dev.genq.gateway.canary;

import dev.genq.storage.model.Rollouts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.util.List;

/**
 * Reads what a watched canary and its stable version did since the rollout last changed: the jobs pinned to each,
 * settled, created at least {@link Rollouts#SNAPSHOT_AGE} after the change (earlier ones may have been pinned by the
 * rollout before it). Latency is per base step from the billed compute; "slow" is relative to stable's median in
 * the same window, so both versions are measured on the same load.
 */
@ApplicationScoped
public class CanaryWindow {
    /** The outcomes of the two versions, and stable's median milliseconds per step (null when none was timed). */
    public record Outcomes(VersionOutcomes stable, VersionOutcomes canary, Double stableMedianMsPerStep) {
    }

    private final EntityManager em;

    public CanaryWindow(EntityManager em) {
        this.em = em;
    }

    /** Runs in the caller's transaction. */
    public Outcomes read(Rollouts.Watched watched, double slowFactor) {
        Timestamp from = Timestamp.from(watched.since().toInstant().plus(Rollouts.SNAPSHOT_AGE));
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                with settled as (
                    select j.pinned_version as version, j.status = 'failed' as failed, coalesce(s.flagged, false) as flagged,
                           coalesce(s.poor, false) as poor, s.adherence,
                           (select 1000 * sum(c.compute_seconds) / nullif(sum(c.steps), 0) from sample_costs c
                            where c.job_id = j.id and c.stage = 'base') as ms_per_step
                    from jobs j
                    left join lateral (  -- one read of the job's samples for all three
                        select bool_or(x.status in ('quarantined', 'rejected')) as flagged,
                               bool_or((x.quality::jsonb ->> 'passed') = 'false') as poor,
                               avg((x.quality::jsonb ->> 'score')::float8) as adherence
                        from samples x where x.job_id = j.id) s on true
                    where j.model = ?1 and j.created_at >= ?2 and j.pinned_version in (?3, ?4)
                      and j.status in ('succeeded', 'needs_review', 'rejected', 'failed')),
                mark as (
                    select percentile_cont(0.5) within group (order by ms_per_step) as median
                    from settled where version = ?3 and ms_per_step is not null)
                select s.version, count(*), count(*) filter (where s.failed), count(*) filter (where s.flagged),
                       count(*) filter (where s.poor), count(*) filter (where s.ms_per_step > ?5 * m.median),
                       count(s.ms_per_step), avg(s.adherence), avg(s.ms_per_step), max(m.median)
                from settled s cross join mark m
                group by s.version""")
                .setParameter(1, watched.model()).setParameter(2, from).setParameter(3, watched.stableVersion())
                .setParameter(4, watched.canaryVersion()).setParameter(5, slowFactor).getResultList();
        VersionOutcomes stable = VersionOutcomes.NONE;
        VersionOutcomes canary = VersionOutcomes.NONE;
        Double median = null;
        for (Object[] r : rows) {
            VersionOutcomes o = new VersionOutcomes(count(r[1]), count(r[2]), count(r[3]), count(r[4]), count(r[5]), count(r[6]),
                    number(r[7]), number(r[8]));
            median = number(r[9]);
            if (watched.stableVersion().equals(r[0])) {
                stable = o;
            } else {
                canary = o;
            }
        }
        return new Outcomes(stable, canary, median);
    }

    private static long count(Object value) {
        return ((Number) value).longValue();
    }

    private static Double number(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }
}
