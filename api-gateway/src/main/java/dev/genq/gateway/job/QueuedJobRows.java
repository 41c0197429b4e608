package dev.genq.gateway.job;

import dev.genq.storage.job.Job;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Writes queued job rows: the hottest write of the platform (every submit, upscale, variation and batch item), so it
 * skips the ORM's per-entity work, one statement per job. The job waits in its lane for the dispatcher with its
 * fair-queuing tags (V22): it starts where the lane's virtual time is, or after the tenant's last waiting job, and its
 * cost over the tenant's weight says how far it moves the tenant on. A batch's rows go in one JDBC batch (one round
 * trip for many statements; each still sees the rows before it, so the tags chain as if submitted one by one).
 */
final class QueuedJobRows {
    private static final String INSERT = """
            with p as (select cast(? as uuid) as tenant_id, cast(? as text) as mode, cast(? as text) as priority,
                              cast(? as double precision) as cost),
            tag as (
                select p.*,
                       greatest((select c.virtual_time from dispatch_clock c where c.priority = p.priority and c.mode = p.mode),
                                coalesce((select j.fair_finish from jobs j
                                          where j.tenant_id = p.tenant_id and j.priority = p.priority and j.mode = p.mode
                                            and j.status = 'queued' and j.dispatched_at is null
                                          order by j.fair_finish desc limit 1), 0)) as fair_start,
                       (select t.weight from tenants t where t.id = p.tenant_id) as weight
                from p)
            insert into jobs (tenant_id, mode, priority, fair_start, fair_finish, status, id, prompt, negative_prompt, num_samples,
                              seed, steps, guidance_scale, sampler, model, webhook_url, webhook_events, pinned_version, traceparent,
                              parent_id, parent_sample, reserved_usd, preview_every, strength, region, init_upload, mask_upload,
                              outpaint, cache_key, width, height, base_usd_per_step, upscale_usd_per_step, price_factor)
            select tag.tenant_id, tag.mode, tag.priority, tag.fair_start, tag.fair_start + tag.cost / tag.weight, 'queued',
                   cast(? as uuid), cast(? as text), cast(? as text), cast(? as int), cast(? as bigint), cast(? as int),
                   cast(? as double precision), cast(? as text), cast(? as text), cast(? as text), cast(? as text), cast(? as text),
                   cast(? as text), cast(? as uuid), cast(? as int), cast(? as numeric), cast(? as int), cast(? as double precision),
                   cast(? as text), cast(? as uuid), cast(? as uuid), cast(? as text), cast(? as text), cast(? as int),
                   cast(? as int), cast(? as numeric), cast(? as numeric), cast(? as numeric)
            from tag""";

    /** The first key of the tenants' tag locks ("genq" as an int; the two-key space is apart from the dispatcher's one-key lock). */
    private static final int TAG_LOCK_CLASS = 0x67656e71;

    private QueuedJobRows() {
    }

    /** Writes one job and fills in what the database gave it (seq, created_at, updated_at). In the caller's transaction. */
    static void insert(Job job) {
        Job.getEntityManager().unwrap(Session.class).doWork(c -> {
            lockTags(c, List.of(job.tenantId));
            try (PreparedStatement st = c.prepareStatement(INSERT + " returning seq, created_at, updated_at")) {
                bind(st, job);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    job.seq = rs.getLong(1);
                    job.createdAt = rs.getObject(2, OffsetDateTime.class);
                    job.updatedAt = rs.getObject(3, OffsetDateTime.class);
                }
            }
        });
    }

    /** Writes the jobs, in list order, in one JDBC batch (their generated columns are not read back). */
    static void insertAll(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        Job.getEntityManager().unwrap(Session.class).doWork(c -> {
            lockTags(c, jobs.stream().map(j -> j.tenantId).distinct().sorted().toList());
            try (PreparedStatement st = c.prepareStatement(INSERT)) {
                for (Job job : jobs) {
                    bind(st, job);
                    st.addBatch();
                }
                st.executeBatch();
            }
        });
    }

    /**
     * Holds the tenants' tag lock until the transaction ends, before the insert reads their last waiting job: two
     * concurrent submits of one tenant would otherwise both read the same last job and take the same start tag, one
     * job for free (a client with many threads jumped the queue: weights 2:1 came out 1.86:1 with 4 threads each). A
     * statement of its own, so the insert's snapshot, taken after the wait, sees the job of the submit it waited for.
     * Costs a tenant's submits nothing but their order from here to commit; other tenants never wait (sorted: no deadlock).
     */
    private static void lockTags(Connection c, List<UUID> tenants) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select pg_advisory_xact_lock(?, hashtext(cast(? as text)))")) {
            for (UUID tenant : tenants) {
                st.setInt(1, TAG_LOCK_CLASS);
                st.setString(2, tenant.toString());
                st.executeQuery().close();
            }
        }
    }

    private static void bind(PreparedStatement st, Job job) throws SQLException {
        int i = 0;
        st.setObject(++i, job.tenantId);
        st.setString(++i, job.mode.wire());
        st.setString(++i, job.priority.wire());
        st.setDouble(++i, fairCost(job));
        st.setObject(++i, job.id);
        st.setString(++i, job.prompt);
        set(st, ++i, job.negativePrompt, Types.VARCHAR);
        st.setInt(++i, job.numSamples);
        st.setLong(++i, job.seed);
        st.setInt(++i, job.steps);
        st.setDouble(++i, job.guidanceScale);
        set(st, ++i, job.sampler, Types.VARCHAR);
        set(st, ++i, job.model, Types.VARCHAR);
        set(st, ++i, job.webhookUrl, Types.VARCHAR);
        set(st, ++i, job.webhookEvents, Types.VARCHAR);
        set(st, ++i, job.pinnedVersion, Types.VARCHAR);
        set(st, ++i, job.traceparent, Types.VARCHAR);
        set(st, ++i, job.parentId, Types.OTHER);
        set(st, ++i, job.parentSample, Types.INTEGER);
        set(st, ++i, job.reservedUsd, Types.NUMERIC);
        st.setInt(++i, job.previewEvery);
        set(st, ++i, job.strength, Types.DOUBLE);
        set(st, ++i, job.region, Types.VARCHAR);
        set(st, ++i, job.initUpload, Types.OTHER);
        set(st, ++i, job.maskUpload, Types.OTHER);
        set(st, ++i, job.outpaint, Types.VARCHAR);
        set(st, ++i, job.cacheKey, Types.VARCHAR);
        set(st, ++i, job.width, Types.INTEGER);
        set(st, ++i, job.height, Types.INTEGER);
        set(st, ++i, job.baseUsdPerStep, Types.NUMERIC);
        set(st, ++i, job.upscaleUsdPerStep, Types.NUMERIC);
        set(st, ++i, job.priceFactor, Types.NUMERIC);
    }

    private static void set(PreparedStatement st, int i, Object value, int sqlType) throws SQLException {
        if (value == null) {
            st.setNull(i, sqlType);
        } else {
            st.setObject(i, value);
        }
    }

    /**
     * What a job costs in the fair queue: its estimated price in micro-USD (the same estimate the budget reserves,
     * measured per model, sample and step), so tenants share compute rather than job counts.
     */
    private static double fairCost(Job job) {
        double microUsd = job.reservedUsd == null ? 0 : job.reservedUsd.doubleValue() * 1e6;
        return microUsd > 0 ? microUsd : (double) job.numSamples * job.steps;
    }
}
