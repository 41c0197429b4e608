package dev.genq.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private ScheduledExecutorService timer;

    public QueueGauges(EntityManager em, MeterRegistry metrics) {
        this.em = em;
        for (String mode : MODES) {
            double[] values = byMode.computeIfAbsent(mode, m -> new double[2]);
            Gauge.builder("genq.jobs.queued", values, v -> v[0]).tag("mode", mode)
                    .description("jobs waiting to start").register(metrics);
            Gauge.builder("genq.jobs.queued.oldest.age", values, v -> v[1]).tag("mode", mode).baseUnit("seconds")
                    .description("how long the oldest queued job has waited").register(metrics);
        }
    }

    void start(@Observes StartupEvent ignored) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "genq-queue-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, 5, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Re-reads the queue now (every 5 s on its own). */
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
