package dev.genq.moderation.review;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.storage.review.ReviewItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.jboss.logging.Logger;

/**
 * Background work of the queue: deletes rejected samples whose retention is over, and keeps the queue
 * gauges (depth, age of the oldest pending item) fresh without a query per scrape.
 */
@ApplicationScoped
public class ReviewMaintenance {
    private static final Logger LOG = Logger.getLogger(ReviewMaintenance.class);

    private final ReviewQueue queue;
    private final ReviewSettings settings;
    private volatile double depth;
    private volatile double oldestAgeSeconds;

    public ReviewMaintenance(ReviewQueue queue, ReviewSettings settings, ModerationMeters meters) {
        this.queue = queue;
        this.settings = settings;
        meters.reviewQueueDepth(() -> depth);
        meters.reviewQueueOldestAge(() -> oldestAgeSeconds);
    }

    @Scheduled(every = "{genq.review.purge-interval}", delayed = "{genq.review.purge-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        try {
            queue.purgeDue();
        } catch (RuntimeException e) {
            LOG.warnf("review purge failed (%s); it runs again in %s", e.getMessage(), settings.purgeInterval());
        }
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshGauges() {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                depth = ReviewItem.count("status", ReviewItem.PENDING);
                ReviewItem oldest = ReviewItem.<ReviewItem>find("status = ?1 order by createdAt", ReviewItem.PENDING).firstResult();
                oldestAgeSeconds = oldest == null ? 0 : Duration.between(oldest.createdAt, OffsetDateTime.now()).toSeconds();
            });
        } catch (RuntimeException e) {
            LOG.debugf("review gauges not refreshed: %s", e.getMessage());
        }
    }
}
