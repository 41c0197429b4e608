package dev.genq.gateway.batch;

import dev.genq.storage.sql.SqlTimestamps;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.dispatch.FairDispatcher;
import dev.genq.gateway.job.JobService;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Create, read, page and cancel batches, always within one tenant. */
@ApplicationScoped
public class BatchService {
    /** The job statuses a batch counts, in the order its counts show them. */
    static final List<String> STATUSES = List.of("queued", "running", "moderating", "needs_review", "succeeded", "rejected",
            "failed", "canceled", "deleted");

    /** A deleted job keeps its place in the batch, as "deleted": its own status is no longer the client's to see. */
    private static final String ITEM_STATUS = "case when j.deleted_at is null then j.status else 'deleted' end";

    private final EntityManager em;
    private final JobService jobs;
    private final FairDispatcher dispatcher;

    public BatchService(EntityManager em, JobService jobs, FairDispatcher dispatcher) {
        this.em = em;
        this.jobs = jobs;
        this.dispatcher = dispatcher;
    }

    /** The batch, its jobs and its items in one transaction: accepted whole, or (any refusal) not at all. */
    public BatchView create(UUID tenantId, List<JobService.BatchItem> items, String webhookUrl) {
        UUID id = UUID.randomUUID();
        BatchView view = QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> jobIds = jobs.createBatchJobs(tenantId, items);
            em.createNativeQuery("insert into batches (id, tenant_id, items, webhook_url) values (?1, ?2, ?3, cast(?4 as text))")
                    .setParameter(1, id).setParameter(2, tenantId).setParameter(3, items.size()).setParameter(4, webhookUrl)
                    .executeUpdate();
            em.createNativeQuery("""
                    insert into batch_items (batch_id, idx, job_id)
                    select ?1, cast(t.n as int) - 1, t.job from unnest(cast(?2 as uuid[])) with ordinality as t(job, n)""")
                    .setParameter(1, id).setParameter(2, jobIds.toArray(new UUID[0])).executeUpdate();
            return view(tenantId, id);
        });
        dispatcher.wake();
        return view;
    }

    /** Must run in a transaction. @throws ProblemException 404 for another tenant's batch or none */
    public BatchView view(UUID tenantId, UUID id) {
        Object[] b = row(tenantId, id);
        Map<String, Long> counts = new LinkedHashMap<>();
        STATUSES.forEach(s -> counts.put(s, 0L));
        @SuppressWarnings("unchecked")
        List<Object[]> byStatus = em.createNativeQuery("""
                select %s, count(*) from batch_items i join jobs j on j.id = i.job_id where i.batch_id = ?1 group by 1""".formatted(ITEM_STATUS))
                .setParameter(1, id).getResultList();
        byStatus.forEach(r -> counts.put((String) r[0], ((Number) r[1]).longValue()));
        Object[] cost = (Object[]) em.createNativeQuery("""
                select coalesce(sum(c.compute_seconds), 0), coalesce(sum(c.cost_usd), 0)
                from sample_costs c where c.billable and c.job_id in (select job_id from batch_items where batch_id = ?1)""")
                .setParameter(1, id).getSingleResult();
        OffsetDateTime canceledAt = SqlTimestamps.utc(b[3]);
        OffsetDateTime completedAt = SqlTimestamps.utc(b[4]);
        String status = completedAt == null ? (canceledAt == null ? "running" : "canceling") : canceledAt == null ? "completed" : "canceled";
        return new BatchView(id, status, ((Number) b[0]).intValue(), counts,
                new BatchView.Cost(((Number) cost[0]).doubleValue(), ((BigDecimal) cost[1]).stripTrailingZeros()),
                (String) b[1], SqlTimestamps.utc(b[2]), canceledAt, completedAt);
    }

    /** Items from index {@code from} on, at most {@code limit}. Must run in a transaction. */
    @SuppressWarnings("unchecked")
    public BatchItemPage items(UUID tenantId, UUID id, int from, int limit) {
        row(tenantId, id);
        List<Object[]> rows = em.createNativeQuery("""
                select i.idx, i.job_id, %s from batch_items i join jobs j on j.id = i.job_id
                where i.batch_id = ?1 and i.idx >= ?2 order by i.idx limit ?3""".formatted(ITEM_STATUS))
                .setParameter(1, id).setParameter(2, from).setParameter(3, limit + 1).getResultList();
        List<BatchItemPage.Item> items = rows.stream().limit(limit)
                .map(r -> new BatchItemPage.Item(((Number) r[0]).intValue(), (UUID) r[1], (String) r[2])).toList();
        String next = rows.size() > limit ? String.valueOf(items.get(items.size() - 1).index() + 1) : null;
        return new BatchItemPage(items, next);
    }

    /**
     * Cancels every queued or running job of the batch (running ones stop at their next step; each gets job.canceled);
     * the batch completes, and batch.completed goes out, once its last job has ended. Idempotent.
     */
    public BatchView cancel(UUID tenantId, UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            row(tenantId, id);
            em.createNativeQuery("update batches set canceled_at = coalesce(canceled_at, now()) where id = ?1")
                    .setParameter(1, id).executeUpdate();
            @SuppressWarnings("unchecked")
            List<Object> canceled = em.createNativeQuery("""
                    update jobs set status = 'canceled', finished_at = now(), updated_at = now()
                    where id in (select job_id from batch_items where batch_id = ?1) and status in ('queued', 'running')
                    returning id""").setParameter(1, id).getResultList();
            canceled.forEach(job -> JobEvents.record(tenantId, (UUID) job, JobEvent.JOB_CANCELED));
            return view(tenantId, id);
        });
    }

    private Object[] row(UUID tenantId, UUID id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select items, webhook_url, created_at, canceled_at, completed_at from batches where id = ?1 and tenant_id = ?2""")
                .setParameter(1, id).setParameter(2, tenantId).getResultList();
        if (rows.isEmpty()) {
            throw ProblemException.notFound("batch_not_found", "no batch " + id);
        }
        return rows.get(0);
    }
}
