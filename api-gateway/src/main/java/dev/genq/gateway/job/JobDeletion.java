package dev.genq.gateway.job;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.job.Job;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;

/**
 * Deletes a finished job for its client. Its images leave every bucket first (everything under the job's prefix,
 * so an image written after a cancel goes too; removal is idempotent, so a failure changes nothing the client's
 * retry cannot finish); then, in one transaction, its prompts are redacted, its webhook payloads emptied (pending
 * deliveries end), its result-cache key cleared, and it is marked deleted: gone from the API, never a cache answer.
 * The row and its cost rows stay, so usage and budgets are unchanged.
 */
@ApplicationScoped
public class JobDeletion {
    /** The buckets a sample's image can be in. */
    static final List<String> SAMPLE_BUCKETS = List.of(Buckets.PENDING, Buckets.OUTPUTS, Buckets.QUARANTINE);

    private final JobService jobs;
    private final ObjectStore store;
    private final EntityManager em;

    public JobDeletion(JobService jobs, ObjectStore store, EntityManager em) {
        this.jobs = jobs;
        this.store = store;
        this.em = em;
    }

    public void delete(UUID tenantId, String id) {
        Job job = QuarkusTransaction.requiringNew().call(() -> jobs.get(tenantId, id)); // 404: unknown, another tenant's, deleted
        if (!job.status.isTerminal()) {
            throw ProblemException.conflict("job_not_finished", "job " + job.id + " is " + job.status.wire()
                    + "; cancel it, or wait for it (a job in review: until its review is decided), then delete it");
        }
        String prefix = Buckets.sampleKey(tenantId, job.id, 0).replaceFirst("0\\.png$", "");
        for (String bucket : SAMPLE_BUCKETS) {
            for (String key : store.list(bucket, prefix)) {
                store.remove(bucket, key);
            }
        }
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("""
                    update jobs set deleted_at = now(), prompt = '', negative_prompt = '', cache_key = null
                    where id = ?1 and deleted_at is null""").setParameter(1, job.id).executeUpdate();
            em.createNativeQuery("""
                    update webhook_deliveries set payload = '{}', next_attempt_at = null,
                           status = case when status = 'pending' then 'failed' else status end,
                           finished_at = coalesce(finished_at, now())
                    where job_id = ?1""").setParameter(1, job.id).executeUpdate();
        });
    }
}
