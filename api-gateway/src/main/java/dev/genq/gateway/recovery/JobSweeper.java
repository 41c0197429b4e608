package dev.genq.gateway.recovery;

import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.outbox.OutboxRelay;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.messaging.Topics;
import dev.genq.storage.outbox.OutboxMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Finds jobs nobody will finish and settles them: a running job whose worker's lease ran out goes back to
 * the fair queue (the dispatcher publishes it again, first in line) or, after too many attempts, fails with worker_lost; a job
 * still queued a queue deadline after it was last queued fails with deadline_exceeded; a moderating job
 * whose samples stay pending past {@code moderation-stall} is announced to moderation again. Neither failure is billed. Rows are
 * taken with SKIP LOCKED, so several gateways can sweep side by side.
 */
@ApplicationScoped
public class JobSweeper {
    private static final Logger LOG = Logger.getLogger(JobSweeper.class);

    @ConfigMapping(prefix = "genq.recovery")
    public interface Settings {
        @WithDefault("PT5S")
        Duration sweepInterval();

        /** Attempts (worker takes) after which a job whose worker keeps vanishing fails instead. */
        @WithDefault("3")
        int maxAttempts();

        /**
         * A moderating job with samples still pending this long after its last change has its
         * samples.generated messages written again (moderation ignores repeats of decided samples).
         */
        @WithDefault("PT5M")
        Duration moderationStall();
    }

    private final Settings settings;
    private final Duration queueDeadline;
    private final Duration bulkQueueDeadline;
    private final EntityManager em;
    private final OutboxRelay relay;
    private final dev.genq.gateway.dispatch.FairDispatcher dispatcher;
    private final GatewayMeters meters;
    private final dev.genq.gateway.job.IdempotencyKeys idempotencyKeys;
    /** Keys deleted per sweep: a sweep every few seconds keeps up with far more submits than a gateway takes. */
    static final int PURGE_BATCH = 5_000;

    public JobSweeper(Settings settings, dev.genq.gateway.job.JobLimits limits,
                      EntityManager em, OutboxRelay relay, GatewayMeters meters,
                      dev.genq.gateway.job.IdempotencyKeys idempotencyKeys, dev.genq.gateway.dispatch.FairDispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.idempotencyKeys = idempotencyKeys;
        this.settings = settings;
        this.queueDeadline = limits.queueDeadline();
        this.bulkQueueDeadline = limits.bulkQueueDeadline();
        this.em = em;
        this.relay = relay;
        this.meters = meters;
    }

    @Scheduled(every = "{genq.recovery.sweep-interval}", delayed = "{genq.recovery.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            int requeued = QuarkusTransaction.requiringNew().call(this::recoverLapsedLeases);
            int expired = QuarkusTransaction.requiringNew().call(this::failExpired);
            int reannounced = QuarkusTransaction.requiringNew().call(this::reannounceStalled);
            QuarkusTransaction.requiringNew().call(() -> idempotencyKeys.purgeExpired(PURGE_BATCH)); // the table stays at a day's keys
            if (requeued > 0) {
                dispatcher.wake();
            }
            if (expired + reannounced > 0) {
                relay.wake();
            }
        } catch (RuntimeException e) {
            LOG.warnf("job sweep failed (%s); it runs again in %s", e.getMessage(), settings.sweepInterval());
        }
    }

    @SuppressWarnings("unchecked")
    int recoverLapsedLeases() {
        List<Object[]> rows = em.createNativeQuery("""
                select id, tenant_id, mode, attempts, lease_owner, traceparent from jobs
                where status = 'running' and lease_until < now()
                order by lease_until limit 100 for update skip locked""").getResultList();
        for (Object[] r : rows) {
            UUID id = (UUID) r[0];
            UUID tenant = (UUID) r[1];
            int attempts = ((Number) r[3]).intValue();
            if (attempts >= settings.maxAttempts()) {
                if (Job.failUnstored(id, "worker_lost", "the worker running this job stopped " + attempts
                        + " times; it was not billed")) {
                    JobEvents.record(tenant, id, JobEvent.JOB_FAILED);
                }
                meters.jobsWorkerLost().increment();
                continue;
            }
            // back in the fair queue, not dispatched: its start tag is older than anything waiting, so it goes out first
            em.createNativeQuery("""
                    update jobs set status = 'queued', lease_owner = null, lease_until = null, progress = 0,
                                    steps_done = 0, updated_at = now(), queued_at = now(), dispatched_at = null
                    where id = ?1 and status = 'running'""").setParameter(1, id).executeUpdate();
            meters.jobsRequeued().increment();
            LOG.infof("job %s: lease of worker %s ran out; queued again (attempt %d)", id, r[4], attempts + 1);
        }
        return rows.size();
    }

    /** Moderating jobs whose pending samples nobody decided for a while: their messages go out again. */
    @SuppressWarnings("unchecked")
    int reannounceStalled() {
        List<Object[]> jobs = em.createNativeQuery("""
                select j.id, j.tenant_id, j.traceparent from jobs j
                where j.status = 'moderating' and j.updated_at < now() - make_interval(secs => ?1)
                  and exists (select 1 from samples s where s.job_id = j.id and s.status = 'pending')
                order by j.updated_at limit 100 for update of j skip locked""")
                .setParameter(1, settings.moderationStall().toMillis() / 1000.0).getResultList();
        for (Object[] r : jobs) {
            UUID id = (UUID) r[0];
            UUID tenant = (UUID) r[1];
            List<Sample> pending = Sample.list("jobId = ?1 and status = ?2 order by idx", id, SampleStatus.PENDING);
            for (Sample s : pending) {
                OutboxMessage.of(tenant, Topics.SAMPLES_GENERATED, id.toString(),
                        EventCodec.encode(new SampleGenerated(id, tenant, s.idx, s.objectKey, s.sha256)), (String) r[2]).persist();
            }
            // the clock restarts: announced again only after another stall
            em.createNativeQuery("update jobs set updated_at = now() where id = ?1").setParameter(1, id).executeUpdate();
            meters.jobsReannounced().increment();
            LOG.infof("job %s: %d samples pending for more than %s in moderation; announced again", id, pending.size(),
                    settings.moderationStall());
        }
        return jobs.size();
    }

    @SuppressWarnings("unchecked")
    int failExpired() {
        List<Object[]> rows = em.createNativeQuery("""
                select id, tenant_id from jobs
                where status = 'queued' and queued_at < now() - make_interval(secs => least(?1, ?2))
                  and queued_at < now() - make_interval(secs => case when priority = 'bulk' then ?2 else ?1 end)
                order by queued_at limit 100 for update skip locked""")
                .setParameter(1, queueDeadline.toMillis() / 1000.0)
                .setParameter(2, bulkQueueDeadline.toMillis() / 1000.0).getResultList();
        for (Object[] r : rows) {
            UUID id = (UUID) r[0];
            if (Job.failUnstored(id, "deadline_exceeded", "the job waited longer than its lane's queue deadline to start; it was not billed")) {
                JobEvents.record((UUID) r[1], id, JobEvent.JOB_FAILED);
                meters.jobsDeadlineExceeded().increment();
            }
        }
        return rows.size();
    }
}
