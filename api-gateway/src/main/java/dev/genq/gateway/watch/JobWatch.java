package dev.genq.gateway.watch;

import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.retry.PollingLoop;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.time.Duration;
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
    private final PollingLoop loop;

    public JobWatch(EntityManager em, WatchSettings settings, GatewayMeters meters) {
        this.em = em;
        this.settings = settings;
        this.loop = new PollingLoop("genq-job-watch", settings.pollInterval(),
                new Backoff(settings.minBackoff(), settings.maxBackoff()), this::readWatched);
        meters.watchedJobs(watchers);
    }

    void start(@Observes StartupEvent ignored) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(5));
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
        loop.wake(); // its first reading now, not at the next poll
        return () -> watchers.computeIfPresent(jobId, (id, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        });
    }

    /** One round: reads every watched job (nothing when none is); a database failure backs off, watchers keep waiting. */
    private boolean readWatched() {
        if (!watchers.isEmpty()) {
            readAndNotify(new ArrayList<>(watchers.keySet()));
        }
        return true;
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
