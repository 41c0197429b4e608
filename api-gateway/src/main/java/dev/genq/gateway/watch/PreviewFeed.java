package dev.genq.gateway.watch;

import dev.genq.storage.messaging.BestEffortReader;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.PreviewModerated;
import dev.genq.storage.messaging.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Live previews moderation has scored, for the event streams open on this gateway. Every gateway reads the
 * whole topic (a consumer group of its own, from the newest message on, nothing committed): a stream may be
 * open on any gateway, and a preview nobody watches is simply passed over. Only a released preview carries
 * an image; the job's tenant must match the watcher's, so one tenant's stream never shows another's picture.
 */
@ApplicationScoped
public class PreviewFeed {
    private static final Logger LOG = Logger.getLogger(PreviewFeed.class);

    private final KafkaClients kafka;
    private final Map<UUID, Set<Watcher>> watchers = new ConcurrentHashMap<>();
    private BestEffortReader reader;

    private record Watcher(UUID tenantId, Consumer<PreviewModerated> consumer) {
    }

    public PreviewFeed(KafkaClients kafka) {
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent ignored) {
        String group = "genq-gateway-previews-" + UUID.randomUUID();
        reader = new BestEffortReader(kafka.consumer(group, group, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100)), Topics.PREVIEWS_MODERATED, "genq-preview-feed", this::deliver);
        reader.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        reader.stop();
    }

    /** Calls {@code consumer} (on the feed's thread; it must not block) with each moderated preview of the job. */
    public JobWatch.Subscription watch(UUID jobId, UUID tenantId, Consumer<PreviewModerated> consumer) {
        Watcher watcher = new Watcher(tenantId, consumer);
        watchers.computeIfAbsent(jobId, id -> new CopyOnWriteArraySet<>()).add(watcher);
        return () -> watchers.computeIfPresent(jobId, (id, set) -> {
            set.remove(watcher);
            return set.isEmpty() ? null : set;
        });
    }

    private void deliver(ConsumerRecord<String, String> record) {
        PreviewModerated preview;
        try {
            preview = EventCodec.decode(record.value(), PreviewModerated.class);
        } catch (IllegalArgumentException e) {
            LOG.warnf("skipping an unreadable preview at %s-%d@%d", record.topic(), record.partition(), record.offset());
            return;
        }
        for (Watcher w : watchers.getOrDefault(preview.jobId(), Set.of())) {
            if (!w.tenantId().equals(preview.tenantId())) {
                continue;
            }
            try {
                w.consumer().accept(preview);
            } catch (RuntimeException e) {
                LOG.warnf("preview feed: a watcher of %s failed: %s", preview.jobId(), e.getMessage());
            }
        }
    }
}
