package dev.genq.storage.outbox;

import dev.genq.storage.tracing.TraceContext;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A Kafka message written in the same transaction as the state change it announces (transactional
 * outbox), so an acknowledged job is never lost when Kafka is down: a relay publishes it later.
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    public String topic;

    @Column(name = "message_key")
    public String messageKey;

    public String payload;

    @Column(name = "created_at", insertable = false, updatable = false)
    @org.hibernate.annotations.Generated
    public OffsetDateTime createdAt;

    @Column(name = "sent_at")
    public OffsetDateTime sentAt;

    public int attempts;

    @Column(name = "last_error")
    public String lastError;

    /** The span that wrote the row (W3C traceparent), continued by the relay's send; null when untraced. */
    public String traceparent;

    /** A message that continues the trace of the current span. */
    public static OutboxMessage of(UUID tenantId, String topic, String key, String payload) {
        return of(tenantId, topic, key, payload, TraceContext.traceparent());
    }

    /** A message that continues the given trace (a job's stored traceparent, when no span is current). */
    public static OutboxMessage of(UUID tenantId, String topic, String key, String payload, String traceparent) {
        OutboxMessage m = new OutboxMessage();
        m.traceparent = traceparent;
        m.tenantId = tenantId;
        m.topic = topic;
        m.messageKey = key;
        m.payload = payload;
        return m;
    }
}
