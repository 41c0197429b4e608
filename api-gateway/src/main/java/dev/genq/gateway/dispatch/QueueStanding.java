package dev.genq.gateway.dispatch;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a queued job stands: how many jobs of its mode will start before it, and when it should start.
 *
 * <p>Position: the jobs already published and not yet started (they start first, in publish order), plus the waiting
 * jobs the dispatcher takes before this one. In its own lane those are the ones with a lower start tag; the other lane
 * adds its share (bulk gets one dispatch in 1/bulk-min-share while both wait; interactive the rest). Work submitted
 * later by a tenant with less waiting can still go ahead of it: that is the fairness, so a position can rise.
 *
 * <p>ETA: position / the mode's measured start rate: the most recent starts (up to 25, within {@code eta-window}, at
 * least 5; fewer: no ETA) over the time from the oldest of them to now, less the time the queue stood idle
 * ({@link StartRate}). It assumes the recent rate holds.
 */
@ApplicationScoped
public class QueueStanding {
    /** Fewer starts than this in the window say too little about the rate. */
    static final int MIN_STARTS = 5;
    /** The rate is measured over the most recent starts (at most this many), so it follows a change of load quickly. */
    static final int RECENT_STARTS = 25;
    private static final Duration RATE_TTL = Duration.ofSeconds(1);

    private final EntityManager em;
    private final DispatchSettings settings;
    private final ConcurrentHashMap<JobMode, Rate> rates = new ConcurrentHashMap<>();

    public QueueStanding(EntityManager em, DispatchSettings settings) {
        this.em = em;
        this.settings = settings;
    }

    /**
     * A queued job's standing. {@code etaSeconds} null while the platform has too little history; {@code atLeast} when
     * more than {@link #COUNTED} waiting jobs are ahead (the count stops there: a read costs the same behind 100 jobs
     * or 100,000), so {@code position} is a lower bound.
     */
    public record Standing(long position, Double etaSeconds, boolean atLeast) {
    }

    /** Waiting jobs counted ahead of one, at most. */
    static final int COUNTED = 100;

    private record Rate(double perSecond, Instant measuredAt) {
    }

    /** Empty unless the job is queued. Must run in a transaction. */
    public Optional<Standing> of(Job job) {
        if (job.status != JobStatus.QUEUED) {
            return Optional.empty();
        }
        // one statement, so the three counts come from one snapshot (and one round trip); a published job's position is
        // the published ones before it, a waiting job's adds what its lane and the other lane dispatch before it
        Priority other = job.priority == Priority.BULK ? Priority.INTERACTIVE : Priority.BULK;
        boolean waiting = job.dispatchedAt == null;
        Object[] counts = (Object[]) em.createNativeQuery("""
                select (select count(*) from jobs where mode = ?1 and status = 'queued' and dispatched_at is not null
                            and (cast(?2 as timestamptz) is null or dispatched_at < cast(?2 as timestamptz))),
                       case when ?3 then (select count(*) from (select 1 from jobs
                            where status = 'queued' and dispatched_at is null and priority = ?4 and mode = ?1
                            and (fair_start, seq) < (select fair_start, seq from jobs where id = ?5) limit ?6) ahead) else 0 end,
                       case when ?3 then (select count(*) from (select 1 from jobs
                            where status = 'queued' and dispatched_at is null and priority = ?7 and mode = ?1 limit ?6) other) else 0 end""")
                .setParameter(1, job.mode.wire()).setParameter(2, job.dispatchedAt).setParameter(3, waiting)
                .setParameter(4, job.priority.wire()).setParameter(5, job.id).setParameter(6, COUNTED)
                .setParameter(7, other.wire()).getSingleResult();
        long position = ((Number) counts[0]).longValue();
        boolean atLeast = false;
        if (waiting) {
            long aheadInLane = ((Number) counts[1]).longValue();
            long otherWaiting = ((Number) counts[2]).longValue();
            atLeast = aheadInLane >= COUNTED;
            position += aheadInLane + interleaved(job.priority, aheadInLane, otherWaiting);
        }
        if (atLeast || position >= COUNTED) { // past the count, one steady lower bound (it must not rise and fall)
            position = COUNTED;
            atLeast = true;
        }
        double rate = rate(job.mode);
        return Optional.of(new Standing(position, rate > 0 ? position / rate : null, atLeast));
    }

    /**
     * Where a job submitted now would stand: every queued job of its mode published or waiting in its lane (and the
     * other lane's interleaved share), counted up to {@link #COUNTED}. Fair queuing may start it sooner when its
     * tenant has less waiting than others, so this is what a tenant with a backlog of its own would see. Must run
     * in a transaction.
     */
    public Standing ofNew(JobMode mode, Priority priority) {
        Priority other = priority == Priority.BULK ? Priority.INTERACTIVE : Priority.BULK;
        Object[] counts = (Object[]) em.createNativeQuery("""
                select (select count(*) from (select 1 from jobs where mode = ?1 and status = 'queued' and dispatched_at is not null
                            limit ?4) published),
                       (select count(*) from (select 1 from jobs where status = 'queued' and dispatched_at is null
                            and priority = ?2 and mode = ?1 limit ?4) lane),
                       (select count(*) from (select 1 from jobs where status = 'queued' and dispatched_at is null
                            and priority = ?3 and mode = ?1 limit ?4) other)""")
                .setParameter(1, mode.wire()).setParameter(2, priority.wire()).setParameter(3, other.wire())
                .setParameter(4, COUNTED).getSingleResult();
        long aheadInLane = ((Number) counts[1]).longValue();
        long otherWaiting = ((Number) counts[2]).longValue();
        long position = ((Number) counts[0]).longValue() + aheadInLane + interleaved(priority, aheadInLane, otherWaiting);
        boolean atLeast = position >= COUNTED;
        position = Math.min(position, COUNTED);
        double rate = rate(mode);
        return new Standing(position, rate > 0 ? position / rate : null, atLeast);
    }

    /** The other lane's dispatches interleaved with this lane's first {@code aheadInLane + 1}. */
    private long interleaved(Priority lane, long aheadInLane, long otherWaiting) {
        long every = settings.bulkEvery();
        long otherShare = lane == Priority.BULK ? (aheadInLane + 1) * (every - 1) : aheadInLane / Math.max(1, every - 1);
        return Math.min(otherWaiting, otherShare);
    }

    /** Jobs of the mode started per second over the window; 0 when it holds fewer than {@link #MIN_STARTS}. */
    private double rate(JobMode mode) {
        Rate cached = rates.get(mode);
        if (cached != null && cached.measuredAt().plus(RATE_TTL).isAfter(Instant.now())) {
            return cached.perSecond();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select extract(epoch from started_at), extract(epoch from now()) from jobs
                where mode = ?1 and started_at > now() - make_interval(secs => ?2)
                order by started_at desc limit ?3""")
                .setParameter(1, mode.wire()).setParameter(2, settings.etaWindow().toMillis() / 1000.0)
                .setParameter(3, RECENT_STARTS).getResultList();
        double[] starts = rows.stream().mapToDouble(r -> ((Number) r[0]).doubleValue()).toArray();
        double perSecond = starts.length >= MIN_STARTS ? StartRate.perSecond(starts, ((Number) rows.get(0)[1]).doubleValue()) : 0;
        rates.put(mode, new Rate(perSecond, Instant.now()));
        return perSecond;
    }
}
