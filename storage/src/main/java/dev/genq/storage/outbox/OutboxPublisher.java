package dev.genq.storage.outbox;

import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.tracing.MessagingSpans;
import dev.genq.storage.tracing.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Publishes unsent outbox rows and marks them sent, in the caller's transaction. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so the gateway's relay and a worker publishing the rows it just wrote never send
 * a row twice at once; a row whose send is not acknowledged stays unsent (attempts and last error
 * recorded) for the relay's next pass.
 */
@ApplicationScoped
public class OutboxPublisher {
    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final KafkaClients kafka;
    private final MessagingSpans spans;

    public OutboxPublisher(KafkaClients kafka, MessagingSpans spans) {
        this.kafka = kafka;
        this.spans = spans;
    }

    public record Result(int sent, int failed) {
    }

    /** An unsent outbox row, as the publisher reads it. */
    private record Unsent(long id, String topic, String key, String payload, String traceparent) {
    }

    /** The oldest unsent rows, up to {@code limit}. */
    public Result publishOldest(KafkaProducer<String, String> producer, int limit) {
        return send(producer, claim("""
                select id, topic, message_key, payload, traceparent from outbox
                where sent_at is null order by id limit ?1 for update skip locked""", limit));
    }

    /** These rows, if still unsent and not being sent by someone else. */
    public Result publish(KafkaProducer<String, String> producer, List<Long> ids) {
        if (ids.isEmpty()) {
            return new Result(0, 0);
        }
        return send(producer, claim("""
                select id, topic, message_key, payload, traceparent from outbox
                where id = any(?1) and sent_at is null order by id for update skip locked""", ids.toArray(new Long[0])));
    }

    @SuppressWarnings("unchecked")
    private static List<Unsent> claim(String sql, Object parameter) {
        return ((List<Object[]>) OutboxMessage.getEntityManager().createNativeQuery(sql).setParameter(1, parameter)
                .getResultList()).stream()
                .map(r -> new Unsent(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3], (String) r[4]))
                .toList();
    }

    /**
     * Sends the claimed rows, waits for acks, and records the outcome in two statements whatever the
     * batch size (one for the sent rows, one per failed row, which is rare).
     */
    private Result send(KafkaProducer<String, String> producer, List<Unsent> rows) {
        if (rows.isEmpty()) {
            return new Result(0, 0);
        }
        EntityManager em = OutboxMessage.getEntityManager();
        List<Future<?>> acks = new ArrayList<>(rows.size());
        Span[] sends = new Span[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Unsent m = rows.get(i);
            ProducerRecord<String, String> record = new ProducerRecord<>(m.topic(), m.key(), m.payload());
            Context written = TraceContext.fromTraceparent(m.traceparent());
            if (TraceContext.isTraced(written)) { // an untraced row starts no trace of its own
                sends[i] = spans.send(m.topic(), written, jobIdOf(m.key()));
                TraceContext.inject(written.with(sends[i]), record.headers());
            }
            try {
                acks.add(producer.send(record));
            } catch (RuntimeException e) {
                acks.add(java.util.concurrent.CompletableFuture.failedFuture(e));
            }
        }
        List<Long> sent = new ArrayList<>(rows.size());
        int failed = 0;
        long timeoutMs = kafka.settings().requestTimeoutMs() + 2000L;
        for (int i = 0; i < rows.size(); i++) {
            Throwable error = null;
            try {
                acks.get(i).get(timeoutMs, TimeUnit.MILLISECONDS);
                sent.add(rows.get(i).id());
            } catch (Exception e) {
                error = e.getCause() != null ? e.getCause() : e;
                em.createNativeQuery("update outbox set attempts = attempts + 1, last_error = ?1 where id = ?2")
                        .setParameter(1, error.getClass().getSimpleName() + ": " + error.getMessage())
                        .setParameter(2, rows.get(i).id()).executeUpdate();
                failed++;
            }
            if (sends[i] != null) {
                MessagingSpans.end(sends[i], error);
            }
        }
        if (!sent.isEmpty()) {
            em.createNativeQuery("update outbox set sent_at = now(), attempts = attempts + 1, last_error = null where id in (:ids)")
                    .setParameter("ids", sent).executeUpdate();
        }
        if (failed > 0) {
            LOG.warnf("outbox: %d of %d messages not acknowledged by Kafka; they stay queued", failed, rows.size());
        }
        return new Result(sent.size(), failed);
    }

    /** Every genq message is keyed by its job's id; anything else gets no job attribute. */
    private static UUID jobIdOf(String key) {
        try {
            return key == null ? null : UUID.fromString(key);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
