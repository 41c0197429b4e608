package dev.genq.gateway.job;

import dev.genq.api.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Enforces each tenant's {@code output_retention_days}: a finished job older than that is deleted as its client's
 * {@code DELETE /v1/jobs/{id}} would ({@link JobDeletion}: images from every bucket, prompt redacted, cost rows kept).
 * Several gateways may purge side by side: deletion is idempotent.
 */
@ApplicationScoped
public class RetentionPurger {
    private static final Logger LOG = Logger.getLogger(RetentionPurger.class);
    /** Jobs read per query. */
    static final int BATCH = 100;
    /** Jobs deleted per round, at most (a round every purge-interval: about 144,000 a day at the defaults). */
    static final int MAX_PER_ROUND = 1_000;

    @ConfigMapping(prefix = "genq.retention")
    public interface Settings {
        @WithDefault("PT10M")
        Duration purgeInterval();
    }

    private final JobDeletion deletion;
    private final EntityManager em;
    private final Settings settings;

    public RetentionPurger(JobDeletion deletion, EntityManager em, Settings settings) {
        this.deletion = deletion;
        this.em = em;
        this.settings = settings;
    }

    @Scheduled(every = "{genq.retention.purge-interval}", delayed = "{genq.retention.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            purge();
        } catch (RuntimeException e) {
            LOG.warnf("retention purge failed (%s); it runs again in %s", e.getMessage(), settings.purgeInterval());
        }
    }

    /**
     * One round: deletes jobs past their tenant's retention, oldest first, {@link #BATCH} at a time until none are due
     * or {@link #MAX_PER_ROUND} went. A job that fails to delete (object store down, say) is logged and skipped, so it
     * does not hold back the rest; it comes first again next round. @return how many were deleted
     */
    int purge() {
        int deleted = 0;
        Set<String> failed = new HashSet<>();
        while (deleted < MAX_PER_ROUND) {
            List<Object[]> due = due();
            int tried = 0;
            for (Object[] r : due) {
                if (failed.contains((String) r[1])) {
                    continue;
                }
                tried++;
                try {
                    deletion.delete((UUID) r[0], (String) r[1]);
                    deleted++;
                } catch (ProblemException e) { // deleted meanwhile (by its client or another gateway)
                    failed.add((String) r[1]);
                } catch (RuntimeException e) {
                    failed.add((String) r[1]);
                    LOG.warnf("retention: job %s not deleted (%s); tried again next round", r[1], e.getMessage());
                }
            }
            if (tried == 0 || due.size() < BATCH) {
                break;
            }
        }
        if (deleted > 0) {
            LOG.infof("retention: deleted %d jobs past their tenant's output_retention_days", deleted);
        }
        return deleted;
    }

    @SuppressWarnings("unchecked")
    private List<Object[]> due() {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                select j.tenant_id, cast(j.id as text) from jobs j join tenants t on t.id = j.tenant_id
                where t.output_retention_days is not null and j.deleted_at is null and j.finished_at is not null
                  and j.finished_at < now() - make_interval(days => t.output_retention_days)
                  and j.status in ('succeeded', 'failed', 'canceled', 'rejected')
                order by j.finished_at limit ?1""").setParameter(1, BATCH).getResultList());
    }
}
