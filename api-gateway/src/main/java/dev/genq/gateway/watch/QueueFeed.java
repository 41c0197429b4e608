package dev.genq.gateway.watch;

import dev.genq.gateway.dispatch.QueueStanding;
import dev.genq.storage.job.Job;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.retry.PollingLoop;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The queue standing (position, ETA) of the queued jobs whose event streams are open, read by one thread for the whole
 * gateway every {@code queue-interval}: a standing costs a few counts, so it is read for at most
 * {@code queue-jobs-per-round} jobs a round (the rest wait for a later round, oldest reading first). A watcher hears
 * when its job's standing changed.
 */
@ApplicationScoped
public class QueueFeed {
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    static final int JOBS_PER_ROUND = 200;

    private final QueueStanding standing;
    private final Map<UUID, Watcher> watchers = new ConcurrentHashMap<>();
    private final PollingLoop loop;

    private static final class Watcher {
        final List<Consumer<QueueStanding.Standing>> consumers = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile QueueStanding.Standing seen;
        volatile long readAt;
    }

    public QueueFeed(QueueStanding standing) {
        this.standing = standing;
        this.loop = new PollingLoop("genq-queue-feed", INTERVAL, new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10)), this::round);
    }

    void start(@Observes StartupEvent ignored) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(5));
    }

    /** Calls {@code consumer} (on the feed's thread; it must not block) whenever the queued job's standing changed. */
    public JobWatch.Subscription watch(UUID jobId, Consumer<QueueStanding.Standing> consumer) {
        watchers.computeIfAbsent(jobId, id -> new Watcher()).consumers.add(consumer);
        return () -> watchers.computeIfPresent(jobId, (id, w) -> {
            w.consumers.remove(consumer);
            return w.consumers.isEmpty() ? null : w;
        });
    }

    private boolean round() {
        List<Map.Entry<UUID, Watcher>> due = new ArrayList<>(watchers.entrySet());
        due.sort(java.util.Comparator.comparingLong(e -> e.getValue().readAt));
        for (Map.Entry<UUID, Watcher> e : due.subList(0, Math.min(JOBS_PER_ROUND, due.size()))) {
            Watcher w = e.getValue();
            w.readAt = System.nanoTime();
            Optional<QueueStanding.Standing> now = QuarkusTransaction.requiringNew().call(() -> {
                Job job = Job.findById(e.getKey());
                return job == null ? Optional.<QueueStanding.Standing>empty() : standing.of(job);
            });
            if (now.isPresent() && !now.get().equals(w.seen)) {
                w.seen = now.get();
                w.consumers.forEach(c -> c.accept(now.get()));
            }
        }
        return true;
    }
}
