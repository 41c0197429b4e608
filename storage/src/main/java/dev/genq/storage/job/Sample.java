package dev.genq.storage.job;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** One generated image of a job. Only a {@link SampleStatus#RELEASED} sample ever gets a URL. */
@Entity
@Table(name = "samples")
@IdClass(SampleId.class)
public class Sample extends PanacheEntityBase {

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Id
    public int idx;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    public SampleStatus status;
    public long seed;
    public int width;
    public int height;

    @Column(name = "object_key")
    public String objectKey;

    @Column(name = "size_bytes")
    public long sizeBytes;

    public String sha256;

    @Column(name = "created_at", insertable = false, updatable = false)
    @org.hibernate.annotations.Generated
    public OffsetDateTime createdAt;

    @Column(name = "settled_at")
    public OffsetDateTime settledAt;

    /** What moderation saw (JSON: image scores, prompt concepts, flagged concepts, classifier version). */
    public String moderation;

    /** The quality verdict (JSON: passed, action, reasons, adherence score, and the statistics behind them). */
    public String quality;

    /** The judge's image features (little-endian float32), from which the job's diversity is measured. */
    public byte[] features;

    /** The released picture's perceptual fingerprint (V27, {@code ImageFingerprint}), set when it is stamped. */
    public byte[] fingerprint;

    public static List<Sample> forJob(UUID jobId) {
        return list("jobId = ?1 order by idx", jobId);
    }
}
