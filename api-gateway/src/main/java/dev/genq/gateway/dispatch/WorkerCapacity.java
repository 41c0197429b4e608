package dev.genq.gateway.dispatch;

import dev.genq.storage.messaging.KafkaClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.jboss.logging.Logger;

/**
 * The dispatch depth when it is not configured ({@code genq.dispatch.depth=0}, the default): the workers in the workers'
 * Kafka consumer group, read every 10 s, times {@code jobs-per-worker} (what each takes in flight). So adding a worker
 * raises the depth and every worker stays busy, and with none up yet one worker's share is published to wait for it.
 * Kafka unreachable: the last reading stays.
 */
@ApplicationScoped
public class WorkerCapacity {
    private static final Logger LOG = Logger.getLogger(WorkerCapacity.class);

    private final KafkaClients kafka;
    private final DispatchSettings settings;
    private volatile int workers = 1;
    private Admin admin;

    public WorkerCapacity(KafkaClients kafka, DispatchSettings settings) {
        this.kafka = kafka;
        this.settings = settings;
    }

    /** Jobs of one mode the dispatcher keeps published and not yet through the pipeline. */
    public int depth() {
        return settings.depth() > 0 ? settings.depth() : Math.max(1, workers) * settings.jobsPerWorker();
    }

    public int workers() {
        return workers;
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void measure() {
        if (settings.depth() > 0) {
            return;
        }
        try {
            synchronized (this) {
                if (admin == null) {
                    admin = kafka.admin();
                }
            }
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(settings.workerGroup()))
                    .describedGroups().get(settings.workerGroup()).get(10, TimeUnit.SECONDS);
            workers = group.members().size();
        } catch (Exception e) {
            LOG.debugf("worker group not read (%s); the dispatch depth stays at %d", e.getMessage(), depth());
        }
    }

    synchronized void close(@Observes ShutdownEvent ignored) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
