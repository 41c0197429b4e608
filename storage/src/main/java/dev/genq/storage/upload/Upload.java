package dev.genq.storage.upload;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** An image a tenant uploaded as a job input, stored normalised (RGB PNG) in {@code Buckets.UPLOADS}; see V19. */
@Entity
@Table(name = "uploads")
public class Upload extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    public UploadStatus status;

    /** What was sent: png, jpeg or webp. */
    public String format;

    /** The size as sent (the stored PNG has the same). */
    public int width;
    public int height;

    /** The size of what was sent, in bytes. */
    public int bytes;

    @Column(name = "object_key")
    public String objectKey;

    /** Why moderation flagged it (null otherwise). */
    public String reasons;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    @Column(name = "scanned_at")
    public OffsetDateTime scannedAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    /** The tenant's upload, if it exists and has not expired: another tenant's id is not found, never forbidden. */
    public static Optional<Upload> findLive(UUID id, UUID tenantId) {
        return find("id = ?1 and tenantId = ?2 and expiresAt > current_timestamp", id, tenantId).firstResultOptional();
    }
}
