package dev.genq.gateway.dispatch;

import dev.genq.gateway.outbox.OutboxRelay;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.Priority;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobRequested;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.retry.PollingLoop;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Moves queued jobs from Postgres to Kafka in fair order, only as many as the pipeline finishes soon: each mode
 * keeps at most the dispatch depth ({@link WorkerCapacity}) of jobs published and not yet through moderation (bulk work at most
 * 1 - {@code interactive-reserve} of them, so an interactive job always finds room, and only
 * {@code bulk-depth-beside-interactive} while interactive work is about: bulk yields to people waiting). The next job is the waiting one with the
 * lowest start tag (start-time fair queuing across tenants, weighted; FIFO within a tenant, see V22); interactive
 * work goes first, bulk gets one dispatch in every 1/{@code bulk-min-share} while both wait.
 *
 * <p>Several gateways run this loop; a transaction-scoped advisory lock lets one dispatch at a time, so depth is
 * never exceeded by two at once. The job's message is written to the outbox in the transaction that marks it
 * dispatched, so the outbox's guarantee (published, eventually, exactly what was committed) carries over.
 */
@ApplicationScoped
public class FairDispatcher {
    /** The advisory lock only one dispatcher holds at a time ("genq" + 1). */
    static final long LOCK_KEY = 0x67656e71_0001L;

    private final EntityManager em;
    private final OutboxRelay relay;
    private final DispatchSettings settings;
    private final PollingLoop loop;
    private final int bulkEvery;
    /** Interactive dispatches since the last bulk one, per mode, while bulk work waited (only the lock holder counts). */
    private final int[] sinceBulk = new int[JobMode.values().length];
    /** Whether this gateway's last pass found the mode's depth full (false until it knows). */
    private final boolean[] full = new boolean[JobMode.values().length];
    /** When an interactive job of the mode was last dispatched (nanoTime; only the lock holder writes it). */
    private final long[] lastInteractive = new long[JobMode.values().length];

    private final dev.genq.gateway.metrics.GatewayMeters meters;

    private final WorkerCapacity capacity;

    public FairDispatcher(EntityManager em, OutboxRelay relay, DispatchSettings settings, dev.genq.gateway.metrics.GatewayMeters meters,
                          WorkerCapacity capacity) {
        this.em = em;
        this.capacity = capacity;
        this.meters = meters;
        this.relay = relay;
        this.settings = settings;
        this.bulkEvery = settings.bulkEvery();
        this.loop = new PollingLoop("genq-fair-dispatcher", settings.pollInterval(),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5)), this::round);
    }

    void start(@Observes StartupEvent ignored) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(10));
    }

    /** Dispatch now rather than at the next poll (a job finished, or was queued again). */
    public void wake() {
        loop.wake();
    }

    /** Jobs left the pipeline: their places in the depth can go to the next ones now. */
    void jobsLeft(@Observes dev.genq.gateway.job.JobsLeftPipeline ignored) {
        loop.wake();
    }

    /**
     * A job of this mode was submitted: dispatch now, unless this gateway's last pass found the mode's depth full (then
     * the new job waits its turn anyway, and a pass per submit would cost three queries each; a job leaving the
     * pipeline or the next poll runs the pass).
     */
    public void submitted(JobMode mode) {
        if (!full[mode.ordinal()]) {
            loop.wake();
        }
    }

    private boolean round() {
        long start = System.nanoTime();
        int dispatched = QuarkusTransaction.requiringNew().call(this::dispatch);
        if (dispatched > 0) {
            meters.dispatchPasses().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            relay.wake();
        }
        return true;
    }

    /** A job taken from the fair queue. */
    record Pick(UUID id, UUID tenantId, JobMode mode, Priority priority, double fairStart, String traceparent) {
    }

    /** One pass over both modes, under the dispatch lock. @return jobs dispatched; 0 if another gateway holds the lock */
    int dispatch() {
        Boolean locked = (Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                .setParameter(1, LOCK_KEY).getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return 0;
        }
        int total = 0;
        int depth = capacity.depth();
        int fullBulkDepth = (int) Math.floor(depth * (1 - Math.max(0, Math.min(1, settings.interactiveReserve()))));
        for (JobMode mode : JobMode.values()) {
            boolean interactiveAbout = lastInteractive[mode.ordinal()] != 0
                    && System.nanoTime() - lastInteractive[mode.ordinal()] < settings.interactiveWindow().toNanos();
            int bulkDepth = interactiveAbout ? Math.min(fullBulkDepth, settings.bulkDepthBesideInteractive()) : fullBulkDepth;
            InFlight inFlight = InFlight.read(em, mode);
            int free = depth - inFlight.total();
            if (free > 0) {
                int dispatched = dispatch(mode, depth, free, Math.max(0, Math.min(free, bulkDepth - inFlight.bulk())), inFlight);
                total += dispatched;
                free -= dispatched;
            }
            full[mode.ordinal()] = free <= 0;
        }
        return total;
    }

    private int dispatch(JobMode mode, int depth, int free, int bulkFree, InFlight inFlight) {
        // more candidates than free places: a tenant at its share of the depth is passed over for the next in line
        int look = Math.min(free * 4, 256);
        List<Pick> interactive = waiting(Priority.INTERACTIVE, mode, look);
        List<Pick> bulk = bulkFree == 0 ? List.of() : waiting(Priority.BULK, mode, Math.min(bulkFree * 4, 256));
        InFlightShares shares = InFlightShares.read(em, inFlight, depth, interactive, bulk);
        List<Pick> chosen = new ArrayList<>(free);
        int bulkChosen = 0;
        int i = 0;
        int b = 0;
        while (chosen.size() < free) {
            i = shares.nextAllowed(interactive, i);
            b = bulkChosen < bulkFree ? shares.nextAllowed(bulk, b) : bulk.size();
            if (i >= interactive.size() && b >= bulk.size()) {
                break;
            }
            boolean bulkDue = b < bulk.size() && (i >= interactive.size() || sinceBulk[mode.ordinal()] >= bulkEvery - 1);
            Pick p = bulkDue ? bulk.get(b++) : interactive.get(i++);
            if (bulkDue) {
                sinceBulk[mode.ordinal()] = 0;
                bulkChosen++;
            } else if (b < bulk.size()) {
                sinceBulk[mode.ordinal()]++;
            }
            shares.take(p.tenantId());
            chosen.add(p);
        }
        // every waiting tenant holds its (rounded down) share and places are left: they go in start-tag order, so
        // fair queuing, not rounding, decides who holds the fraction (2:1 over 16 places is 10.67:5.33)
        for (Pick p : interactive) {
            if (chosen.size() >= free) {
                break;
            }
            if (!chosen.contains(p)) {
                shares.take(p.tenantId());
                chosen.add(p);
            }
        }
        for (Pick p : bulk) {
            if (chosen.size() >= free || bulkChosen >= bulkFree) {
                break;
            }
            if (!chosen.contains(p)) {
                shares.take(p.tenantId());
                chosen.add(p);
                bulkChosen++;
            }
        }
        publish(chosen, mode);
        advanceClock(chosen, Priority.INTERACTIVE, mode);
        advanceClock(chosen, Priority.BULK, mode);
        return chosen.size();
    }

    /**
     * Marks the jobs dispatched and writes their messages to the outbox in dispatch order: two statements for the whole
     * pass, whatever its size (the dispatcher's cost per job is what a backlog of 100,000 pays for every job).
     */
    private void publish(List<Pick> chosen, JobMode mode) {
        if (chosen.isEmpty()) {
            return;
        }
        int n = chosen.size();
        UUID[] ids = new UUID[n];
        UUID[] tenants = new UUID[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        String[] traces = new String[n];
        Instant now = Instant.now();
        for (int i = 0; i < n; i++) {
            Pick p = chosen.get(i);
            ids[i] = p.id();
            tenants[i] = p.tenantId();
            keys[i] = p.id().toString();
            payloads[i] = EventCodec.encode(new JobRequested(p.id(), p.tenantId(), mode.wire(), now));
            traces[i] = p.traceparent();
            meters.jobsDispatched(p.priority()).increment();
            if (p.priority() == Priority.INTERACTIVE) {
                lastInteractive[mode.ordinal()] = System.nanoTime();
            }
        }
        em.createNativeQuery("update jobs set dispatched_at = now() where id = any(?1)").setParameter(1, ids).executeUpdate();
        em.createNativeQuery("""
                insert into outbox (tenant_id, topic, message_key, payload, traceparent)
                select t.tenant, ?1, t.key, t.payload, t.trace
                from unnest(?2, ?3, ?4, ?5) with ordinality as t(tenant, key, payload, trace, n) order by t.n""")
                .setParameter(1, Topics.forMode(mode)).setParameter(2, tenants).setParameter(3, keys)
                .setParameter(4, payloads).setParameter(5, traces).executeUpdate();
    }

    /** The lane's next jobs in fair order; rows being canceled right now are skipped, not waited for. */
    @SuppressWarnings("unchecked")
    private List<Pick> waiting(Priority priority, JobMode mode, int limit) {
        List<Object[]> rows = em.createNativeQuery("""
                select id, tenant_id, fair_start, traceparent from jobs
                where status = 'queued' and dispatched_at is null and priority = ?1 and mode = ?2
                order by fair_start, seq limit ?3 for update skip locked""")
                .setParameter(1, priority.wire()).setParameter(2, mode.wire()).setParameter(3, limit).getResultList();
        return rows.stream().map(r -> new Pick((UUID) r[0], (UUID) r[1], mode, priority, ((Number) r[2]).doubleValue(),
                (String) r[3])).toList();
    }

    /** The lane's virtual time becomes the start tag of the job it dispatched last (it only moves forward). */
    private void advanceClock(List<Pick> chosen, Priority priority, JobMode mode) {
        chosen.stream().filter(p -> p.priority() == priority).mapToDouble(Pick::fairStart).max().ifPresent(t ->
                em.createNativeQuery("""
                        update dispatch_clock set virtual_time = greatest(virtual_time, ?1) where priority = ?2 and mode = ?3""")
                        .setParameter(1, t).setParameter(2, priority.wire()).setParameter(3, mode.wire()).executeUpdate());
    }
}
