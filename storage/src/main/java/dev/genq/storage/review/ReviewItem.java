package dev.genq.storage.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** A quarantined sample waiting for (or settled by) a human decision. */
@Entity
@Table(name = "review_items")
public class ReviewItem extends PanacheEntityBase {
    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";

    @Id
    public UUID id;

    @Column(name = "tenant_id")
    public UUID tenantId;

    @Column(name = "job_id")
    public UUID jobId;

    @Column(name = "sample_idx")
    public int sampleIdx;

    public String status;

    /** Comma-separated concepts that sent the sample to review. */
    public String concepts;

    /** JSON: the classifier's score per concept. */
    public String scores;

    /** JSON list of human-readable reasons ("image: weapon 0.93 >= 0.50"). */
    public String reasons;

    @Column(name = "claimed_by")
    public UUID claimedBy;

    @Column(name = "claimed_by_name")
    public String claimedByName;

    @Column(name = "claim_expires_at")
    public OffsetDateTime claimExpiresAt;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    @Column(name = "purge_after")
    public OffsetDateTime purgeAfter;
}
