package dev.genq.storage.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.Generated;

/** One try at sending a delivery: the response status, or why there was none. */
@Entity
@Table(name = "webhook_attempts")
public class WebhookAttempt extends PanacheEntityBase {

    @Embeddable
    public record Key(@Column(name = "delivery_id") String deliveryId, int attempt) implements Serializable {
    }

    @EmbeddedId
    public Key key;

    @Column(name = "attempted_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime attemptedAt;

    @Column(name = "duration_ms")
    public int durationMs;

    @Column(name = "response_status")
    public Integer responseStatus;

    public String error;

    public static List<WebhookAttempt> of(String deliveryId) {
        return find("key.deliveryId = ?1 order by key.attempt", deliveryId).list();
    }
}
