package dev.genq.gateway.job;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.job.Job;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Deletes a finished job for its client. First its result-cache key is cleared (no new cache answer can point at its
 * images); then its images leave every bucket: everything under the job's prefix (an image written after a cancel
 * too) and the images its samples name (a cache answer's are an earlier job's), except those a live job of the tenant
 * still shows (a cache answer of it, or the job it answered from). Removal is idempotent, so a failure changes nothing
 * the client's retry cannot finish. Last, in one transaction, its prompts are redacted, its webhook payloads emptied
 * (pending deliveries end) and it is marked deleted: gone from the API; and the uploads it used that no other job of
 * the tenant still names expire at once, their objects removed right after (or by moderation's upload expiry within
 * a minute, should the store fail then). The row and its cost rows stay, so usage and budgets are unchanged.
 */
@ApplicationScoped
public class JobDeletion {
    private static final Logger LOG = Logger.getLogger(JobDeletion.class);
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
        Job job = QuarkusTransaction.requiringNew().call(() -> {
            Job j = jobs.get(tenantId, id); // 404: unknown, another tenant's, deleted
            if (!j.status.isTerminal()) {
                throw ProblemException.conflict("job_not_finished", "job " + j.id + " is " + j.status.wire()
                        + "; cancel it, or wait for it (a job in review: until its review is decided), then delete it");
            }
            em.createNativeQuery("update jobs set cache_key = null where id = ?1").setParameter(1, j.id).executeUpdate();
            return j;
        });
        String prefix = Buckets.jobPrefix(tenantId, job.id);
        Set<String> keys = new HashSet<>(QuarkusTransaction.requiringNew().call(() -> sampleKeys(job.id)));
        for (String bucket : SAMPLE_BUCKETS) {
            keys.addAll(store.list(bucket, prefix));
        }
        keys.removeAll(QuarkusTransaction.requiringNew().call(() -> shownByOthers(job.id, keys)));
        for (String bucket : SAMPLE_BUCKETS) {
            for (String key : keys) {
                store.remove(bucket, key);
            }
        }
        List<String> uploadKeys = QuarkusTransaction.requiringNew().call(() -> {
            // locked first, so two deletes of jobs sharing an upload are ordered and the second sees the first's mark
            em.createNativeQuery("""
                    select id from uploads where id in (select init_upload from jobs where id = ?1
                                                        union select mask_upload from jobs where id = ?1)
                    order by id for update""").setParameter(1, job.id).getResultList();
            em.createNativeQuery("""
                    update jobs set deleted_at = now(), prompt = '', negative_prompt = '', cache_key = null
                    where id = ?1 and deleted_at is null""").setParameter(1, job.id).executeUpdate();
            em.createNativeQuery("""
                    update webhook_deliveries set payload = '{}', next_attempt_at = null,
                           status = case when status = 'pending' then 'failed' else status end,
                           finished_at = coalesce(finished_at, now())
                    where job_id = ?1""").setParameter(1, job.id).executeUpdate();
            return expireUploadsOnlyItUsed(tenantId, job.id);
        });
        for (String key : uploadKeys) {
            try {
                store.remove(Buckets.UPLOADS, key);
            } catch (RuntimeException e) { // the row has expired: moderation's upload expiry removes the object
                LOG.warnf("upload object of deleted job %s left to the upload expiry: %s", job.id, e.toString());
            }
        }
    }

    /**
     * Expires the job's uploads (init and mask) that no other job of the tenant not deleted names, and returns their
     * object keys. A job submitted later that names one is refused (upload_not_found); one submitted meanwhile holds
     * the upload's share lock (UploadService.lockForJob), so it is either seen here or sees the expiry ('-infinity':
     * in the past whenever its transaction began).
     */
    @SuppressWarnings("unchecked")
    private List<String> expireUploadsOnlyItUsed(UUID tenantId, UUID jobId) {
        return em.createNativeQuery("""
                update uploads u set expires_at = '-infinity'
                where u.tenant_id = ?2
                  and u.id in (select init_upload from jobs where id = ?1 union select mask_upload from jobs where id = ?1)
                  and not exists (select 1 from jobs o where o.tenant_id = ?2 and o.id <> ?1 and o.deleted_at is null
                                  and (o.init_upload = u.id or o.mask_upload = u.id))
                returning u.object_key""").setParameter(1, jobId).setParameter(2, tenantId).getResultList();
    }

    @SuppressWarnings("unchecked")
    private List<String> sampleKeys(UUID jobId) {
        return em.createNativeQuery("select object_key from samples where job_id = ?1").setParameter(1, jobId).getResultList();
    }

    /** Of {@code keys}, those a sample of another job not deleted still names. */
    @SuppressWarnings("unchecked")
    private List<String> shownByOthers(UUID jobId, Set<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return em.createNativeQuery("""
                select distinct s.object_key from samples s join jobs j on j.id = s.job_id
                where s.object_key = any(cast(?2 as text[])) and s.job_id <> ?1 and j.deleted_at is null""")
                .setParameter(1, jobId).setParameter(2, keys.toArray(String[]::new)).getResultList();
    }
}
