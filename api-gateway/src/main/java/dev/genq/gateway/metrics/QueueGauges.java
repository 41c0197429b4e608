package dev.genq.gateway.metrics;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The queue as on-call sees it: how many jobs wait to start, per mode, and how long the oldest has
 * waited. Refreshed every 5 s by one query on the queued-jobs index, not per scrape; every gateway
 * reports the same values (dashboards take the max).
 */
@ApplicationScoped
public class QueueGauges {
    private static final Logger LOG = Logger.getLogger(QueueGauges.class);
    private static final List<String> MODES = List.of("preview", "full");

    private final EntityManager em;
    private final Map<String, double[]> byMode = new ConcurrentHashMap<>(); // mode -> {depth, oldest age s}

    public QueueGauges(EntityManager em, GatewayMeters meters) {
        this.em = em;
        for (String mode : MODES) {
            double[] values = byMode.computeIfAbsent(mode, m -> new double[2]);
            meters.jobsQueued(mode, values, v -> v[0]);
            meters.jobsQueuedOldestAge(mode, values, v -> v[1]);
        }
    }

    /** Re-reads the queue now (every 5 s on its own; a run still going when the next is due is skipped). */
    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void refresh() {
        try {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                    select mode, count(*), coalesce(extract(epoch from now() - min(created_at)), 0)
                    from jobs where status = 'queued' group by mode""").getResultList());
            for (double[] v : byMode.values()) {
                v[0] = 0;
                v[1] = 0;
            }
            for (Object[] row : rows) {
                double[] v = byMode.get(String.valueOf(row[0]));
                if (v != null) {
                    v[0] = ((Number) row[1]).doubleValue();
                    v[1] = ((Number) row[2]).doubleValue();
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("queue gauges not refreshed: %s", e.getMessage());
        }
    }
}
