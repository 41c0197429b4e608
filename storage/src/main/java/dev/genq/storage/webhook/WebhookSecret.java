package dev.genq.storage.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/**
 * A tenant's Standard Webhooks signing secret ({@code whsec_} + base64 of 32 random bytes). It has to be
 * recoverable, unlike an API key: the gateway signs with it. So {@code secret} holds it sealed under a
 * key-encryption key the database never sees (the gateway's {@code SecretSealer}). A rotated-out secret
 * signs until {@code expiresAt} and is deleted after it.
 */
@Entity
@Table(name = "webhook_secrets")
public class WebhookSecret extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String secret;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    /** The tenant's secrets that still sign, newest first. */
    public static List<WebhookSecret> live(UUID tenantId) {
        return find("tenantId = ?1 and (expiresAt is null or expiresAt > current_timestamp) order by id desc", tenantId).list();
    }
}
