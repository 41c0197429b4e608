package dev.genq.storage.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/** A customer of the platform: owns jobs, API keys and webhook secrets; carries its quotas. */
@Entity
@Table(name = "tenants")
public class Tenant extends PanacheEntityBase {
    /** The tenant every job belonged to before tenants existed; the bootstrap keys live here. */
    public static final UUID DEFAULT_ID = UUID.fromString("00000000-0000-0000-0000-000000000001");

    @Id
    public UUID id;

    public String name;

    /** null: the configured default. */
    @Column(name = "max_concurrent_jobs")
    public Integer maxConcurrentJobs;

    /** null: no budget. */
    @Column(name = "monthly_budget_usd")
    public BigDecimal monthlyBudgetUsd;

    /** Days a finished job's outputs are kept before the retention purger deletes it; null: until its client does. */
    @Column(name = "output_retention_days")
    public Integer outputRetentionDays;

    /** Its share of the workers under fair dispatch, relative to other tenants' (default 1). */
    public double weight = 1;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;
}
