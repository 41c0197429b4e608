package dev.genq.storage.job;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * What one stage of one sample cost: the steps it ran at the price per step quoted when its job was accepted (or,
 * without a quote, as measured), and beside it what it used: its share of the compute time of every batch it ran in,
 * priced per device-hour. The primary key (job, sample, stage) makes the record exactly-once.
 */
@Entity
@Table(name = "sample_costs")
@IdClass(SampleCost.Key.class)
public class SampleCost extends PanacheEntityBase {

    public record Key(UUID jobId, int sampleIdx, String stage) implements Serializable {
        public Key() {
            this(null, 0, null);
        }
    }

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Id
    @Column(name = "sample_idx")
    public int sampleIdx;

    @Id
    public String stage;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "model_version")
    public String modelVersion;

    public int steps;

    @Column(name = "compute_seconds")
    public double computeSeconds;

    @Column(name = "device_class")
    public String deviceClass;

    @Column(name = "price_per_device_hour")
    public BigDecimal pricePerDeviceHour;

    @Column(name = "cost_usd")
    public BigDecimal costUsd;

    /** The quoted price per step it was charged at (the lane's factor applied); null: charged as measured. */
    @Column(name = "usd_per_step")
    public BigDecimal usdPerStep;

    /** False for a sample that was not a picture (failed_quality): its compute is recorded, not charged. */
    @Column(insertable = false)
    public boolean billable = true;

    @Column(name = "created_at", insertable = false, updatable = false)
    @org.hibernate.annotations.Generated
    public OffsetDateTime createdAt;

    public static List<SampleCost> forJob(UUID jobId) {
        return list("jobId = ?1 order by sampleIdx, stage", jobId);
    }
}
