package dev.genq.gateway.watch;

import dev.genq.storage.job.JobStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one reader of job status for everything a client holds open on this gateway ({@code Prefer: wait},
 * event streams): a single thread reads every watched job in one query per {@code poll-interval} and tells
 * each watcher when its job's status or progress changed. So a thousand open streams cost the database what
 * one does, and no request thread sleeps while it waits.
 */
@ApplicationScoped
public class JobWatch {
    private static final Logger LOG = Logger.getLogger(JobWatch.class);
    private static final int IDS_PER_QUERY = 1000;

    /** A job as a watcher sees it. */
    public record Snapshot(UUID id, JobStatus status, double progress) {
    }

    /** Stops one watcher's notifications; idempotent. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final EntityManager em;
    private final WatchSettings settings;
    /** One watcher and the last reading it was given (each gets the first reading after it subscribed). */
    private static final class Watcher {
        final Consumer<Snapshot> consumer;
        Snapshot seen; // only the watch thread touches it

        Watcher(Consumer<Snapshot> consumer) {
            this.consumer = consumer;
        }
    }

    private final Map<UUID, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private final Object wakeup = new Object();
    private volatile boolean running;
    private Thread thread;

    public JobWatch(EntityManager em, WatchSettings settings, MeterRegistry metrics) {
        this.em = em;
        this.settings = settings;
        Gauge.builder("genq.api.watched.jobs", watchers, Map::size)
                .description("jobs this gateway reads for open waits and event streams").register(metrics);
    }

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::loop, "genq-job-watch");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
        if (thread != null) {
            thread.join(5_000);
        }
    }

    /**
     * Calls {@code consumer} (on the watch thread; it must not block) with the next reading of the job, and
     * after that whenever its status or progress changed.
     */
    public Subscription watch(UUID jobId, Consumer<Snapshot> consumer) {
        Watcher watcher = new Watcher(consumer);
        watchers.compute(jobId, (id, set) -> {
            Set<Watcher> s = set == null ? new CopyOnWriteArraySet<>() : set;
            s.add(watcher);
            return s;
        });
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
        return () -> watchers.computeIfPresent(jobId, (id, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        });
    }

    private void loop() {
        long backoff = 0;
        while (running) {
            try {
                synchronized (wakeup) {
                    if (watchers.isEmpty()) {
                        wakeup.wait(1_000);
                    } else {
                        wakeup.wait(backoff > 0 ? backoff : settings.pollInterval().toMillis());
                    }
                }
                if (!running || watchers.isEmpty()) {
                    continue;
                }
                readAndNotify(new ArrayList<>(watchers.keySet()));
                backoff = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // the database is away: watchers keep waiting, and each ends by its own deadline
                backoff = Math.min(5_000, backoff == 0 ? 200 : backoff * 2);
                LOG.warnf("job watch: %s; retrying in %d ms", e.getMessage(), backoff);
            }
        }
    }

    private void readAndNotify(List<UUID> ids) {
        Map<UUID, Snapshot> read = new HashMap<>();
        for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
            List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY));
            read.putAll(QuarkusTransaction.requiringNew().call(() -> read(chunk)));
        }
        for (Snapshot now : read.values()) {
            for (Watcher watcher : watchers.getOrDefault(now.id(), Set.of())) {
                if (now.equals(watcher.seen)) {
                    continue;
                }
                watcher.seen = now;
                try {
                    watcher.consumer.accept(now);
                } catch (RuntimeException e) {
                    LOG.warnf("job watch: a watcher of %s failed: %s", now.id(), e.getMessage());
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<UUID, Snapshot> read(List<UUID> ids) {
        Map<UUID, Snapshot> read = new HashMap<>();
        List<Object[]> rows = em.createNativeQuery("select id, status, progress from jobs where id in (?1)")
                .setParameter(1, ids).getResultList();
        for (Object[] r : rows) {
            UUID id = (UUID) r[0];
            read.put(id, new Snapshot(id, JobStatus.fromWire((String) r[1]), ((Number) r[2]).doubleValue()));
        }
        return read;
    }
}
