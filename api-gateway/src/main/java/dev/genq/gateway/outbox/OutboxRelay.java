package dev.genq.gateway.outbox;

import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.retry.PollingLoop;
import dev.genq.storage.outbox.OutboxMessage;
import dev.genq.storage.outbox.OutboxPublisher;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka and marks them sent. Rows are claimed with FOR UPDATE SKIP LOCKED,
 * so several gateways can relay side by side without sending a row twice; a row whose send fails stays
 * unsent and is retried with capped exponential backoff for as long as it takes, because an
 * acknowledged job must never be lost. A submit wakes the relay at once; otherwise it polls.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @ConfigMapping(prefix = "genq.outbox")
    public interface Settings {
        @WithDefault("100")
        int batchSize();

        /** How often to look for rows when nothing wakes the relay. */
        @WithDefault("PT1S")
        Duration pollInterval();

        @WithDefault("PT0.2S")
        Duration minBackoff();

        @WithDefault("PT10S")
        Duration maxBackoff();

        /** How long a sent row is kept (to see what was published, and when) before the relay deletes it. */
        @WithDefault("PT1H")
        Duration retention();
    }

    private static final int PURGE_BATCH = 10_000;

    private final KafkaClients kafka;
    private final OutboxPublisher publisher;
    private final Settings settings;
    private final PollingLoop loop;
    private KafkaProducer<String, String> producer;

    public OutboxRelay(KafkaClients kafka, OutboxPublisher publisher, Settings settings) {
        this.kafka = kafka;
        this.publisher = publisher;
        this.settings = settings;
        this.loop = new PollingLoop("genq-outbox-relay", settings.pollInterval(),
                new Backoff(settings.minBackoff(), settings.maxBackoff()), this::relayAll);
    }

    void start(@Observes StartupEvent ignored) {
        producer = kafka.producer("genq-gateway-outbox");
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(10));
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the relay to publish now rather than at its next poll. */
    public void wake() {
        loop.wake();
    }

    /** One round: batches until one is not full. @return false if a row failed to send (the loop backs off) */
    private boolean relayAll() {
        while (loop.running()) {
            OutboxPublisher.Result r = QuarkusTransaction.requiringNew().call(this::relayBatch);
            if (r.failed() > 0) {
                return false;
            }
            if (r.sent() < settings.batchSize()) {
                return true; // a full batch means more may be waiting
            }
        }
        return true;
    }

    /** Claims and publishes the oldest batch of unsent rows (any service's: job events, requests, samples). */
    OutboxPublisher.Result relayBatch() {
        return publisher.publishOldest(producer, settings.batchSize());
    }

    /** Once a minute, off the relay thread (sends never wait behind a purge, nor back off after one). */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        try {
            int purged;
            do { // a bounded delete per transaction; a large backlog of sent rows goes in several
                purged = QuarkusTransaction.requiringNew().call(this::purgeSent);
            } while (purged == PURGE_BATCH && loop.running());
        } catch (RuntimeException e) { // Postgres away: one line a minute, not a stack trace (as JobSweeper)
            LOG.warnf("outbox purge failed (%s); it runs again in 1 min", e.getMessage());
        }
    }

    /**
     * Deletes sent rows older than {@code genq.outbox.retention}, a bounded number at a time, oldest first
     * (the primary key's order), so the table holds what is pending plus a recent window to inspect.
     * @return rows deleted
     */
    int purgeSent() {
        return OutboxMessage.getEntityManager().createNativeQuery("""
                delete from outbox where id in (
                    select id from outbox where sent_at < now() - make_interval(secs => ?1) order by id limit ?2)""")
                .setParameter(1, settings.retention().toMillis() / 1000.0)
                .setParameter(2, PURGE_BATCH).executeUpdate();
    }
}
