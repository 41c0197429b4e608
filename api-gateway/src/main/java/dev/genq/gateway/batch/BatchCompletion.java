package dev.genq.gateway.batch;

import dev.genq.gateway.webhook.WebhookDeliveries;
import dev.genq.gateway.webhook.WebhookDispatcher;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Marks a batch completed once every item's job has ended, and in the same transaction writes its one batch.completed
 * delivery: the mark is a compare-and-set (completed_at from null), and the delivery's id derives from the batch, so
 * several gateways checking at once announce a batch once.
 */
@ApplicationScoped
public class BatchCompletion {
    private static final Logger LOG = Logger.getLogger(BatchCompletion.class);

    private final EntityManager em;
    private final BatchService batches;
    private final WebhookDeliveries deliveries;
    private final WebhookDispatcher webhooks;

    public BatchCompletion(EntityManager em, BatchService batches, WebhookDeliveries deliveries, WebhookDispatcher webhooks) {
        this.em = em;
        this.batches = batches;
        this.deliveries = deliveries;
        this.webhooks = webhooks;
    }

    @Scheduled(every = "{genq.batches.completion-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        try {
            if (QuarkusTransaction.requiringNew().call(this::completeFinished) > 0) {
                webhooks.wake();
            }
        } catch (RuntimeException e) { // Postgres away: one line, and the next check tries again
            LOG.warnf("batch completion check failed (%s); it runs again shortly", e.getMessage());
        }
    }

    /** @return batches completed now that have a webhook to announce to */
    @SuppressWarnings("unchecked")
    int completeFinished() {
        List<Object[]> done = em.createNativeQuery("""
                update batches b set completed_at = now()
                where b.id in (select o.id from batches o where o.completed_at is null
                               and not exists (select 1 from batch_items i join jobs j on j.id = i.job_id
                                               where i.batch_id = o.id
                                                 and j.status not in ('succeeded', 'rejected', 'failed', 'canceled'))
                               order by o.created_at limit 100 for update skip locked)
                returning b.id, b.tenant_id, b.webhook_url""").getResultList();
        int announced = 0;
        for (Object[] r : done) {
            UUID id = (UUID) r[0];
            UUID tenant = (UUID) r[1];
            String url = (String) r[2];
            if (url != null && deliveries.enqueueBatchCompleted(tenant, id, url, batches.view(tenant, id))) {
                announced++;
            }
        }
        return announced;
    }
}
