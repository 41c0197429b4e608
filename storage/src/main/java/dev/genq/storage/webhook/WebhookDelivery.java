package dev.genq.storage.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** One event for one job's webhook. Its id is the {@code webhook-id} header, the same on every attempt. */
@Entity
@Table(name = "webhook_deliveries")
public class WebhookDelivery extends PanacheEntityBase {
    public static final String PENDING = "pending";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String ENDPOINT_DISABLED = "endpoint_disabled";

    @Id
    public String id;

    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "job_id")
    public UUID jobId;

    @Column(name = "event_type")
    public String eventType;

    public String url;

    public String payload;

    public String status;

    public int attempts;

    @Column(name = "next_attempt_at")
    public OffsetDateTime nextAttemptAt;

    @Column(name = "lease_until")
    public OffsetDateTime leaseUntil;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;
}
