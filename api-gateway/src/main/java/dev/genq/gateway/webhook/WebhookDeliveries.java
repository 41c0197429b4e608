package dev.genq.gateway.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.gateway.job.JobViews;
import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.webhook.WebhookAttempt;
import dev.genq.storage.webhook.WebhookDelivery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The persisted side of webhooks: turns job events into deliveries (one per event, so a redelivered
 * event is a no-op), hands due deliveries to a dispatcher under a lease, and records every attempt with
 * the next one scheduled. Everything lives in Postgres, so a restart loses nothing.
 */
@ApplicationScoped
public class WebhookDeliveries {

    /** A delivery claimed for one attempt. */
    public record Claim(String id, UUID tenantId, String url, String payload, int attempts) {
    }

    /** What one attempt got: an HTTP status (with Retry-After, if any) or an error. */
    public record Result(Integer status, Duration retryAfter, String error, int durationMs) {
        boolean succeeded() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private final EntityManager em;
    private final JobViews views;
    private final ObjectMapper json;
    private final WebhookSettings settings;

    public WebhookDeliveries(EntityManager em, JobViews views, ObjectMapper json, WebhookSettings settings) {
        this.em = em;
        this.views = views;
        this.json = json;
        this.settings = settings;
    }

    /** The webhook-id of an event's delivery: derived from the event id, so it is the same however often the event arrives. */
    static String deliveryId(UUID eventId) {
        return "msg_" + eventId.toString().replace("-", "");
    }

    /** Creates the delivery for an event, if the job wants it; @return whether one was created. */
    @Transactional
    public boolean enqueue(JobEvent event) {
        Job job = Job.findById(event.jobId());
        if (job == null || job.deletedAt != null || job.webhookUrl == null || !wants(job, event.type())) { // deleted: no more deliveries
            return false;
        }
        String payload;
        try {
            payload = json.writeValueAsString(new WebhookPayload(event.type(), event.at(), event.sample(), views.of(job).linksOnly()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        boolean disabled = disabled(job.tenantId, job.webhookUrl);
        int inserted = em.createNativeQuery("""
                insert into webhook_deliveries (id, tenant_id, job_id, event_type, url, payload, status, next_attempt_at, finished_at)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7, case when ?8 then null else now() end, case when ?8 then now() else null end)
                on conflict (id) do nothing""")
                .setParameter(1, deliveryId(event.id())).setParameter(2, job.tenantId).setParameter(3, job.id)
                .setParameter(4, event.type()).setParameter(5, job.webhookUrl).setParameter(6, payload)
                .setParameter(7, disabled ? WebhookDelivery.ENDPOINT_DISABLED : WebhookDelivery.PENDING)
                .setParameter(8, disabled)
                .executeUpdate();
        return inserted == 1 && !disabled;
    }

    /** The body of a delivery without a job (batch.completed, model.canary.*), in the Standard Webhooks shape. */
    public record EventPayload(String type, java.time.Instant timestamp, Object data) {
    }

    /**
     * Creates the one batch.completed delivery of a batch (its webhook-id derives from the batch, so a repeat is a
     * no-op); the caller's transaction is the one that marked the batch completed. @return whether one was created
     */
    public boolean enqueueBatchCompleted(UUID tenantId, UUID batchId, String url, Object batchView) {
        return enqueueEvent(tenantId, batchId, "batch.completed", "batch.completed:" + batchId, url, batchView);
    }

    /**
     * Creates the delivery of an operator's event (a canary decision) to the operator tenant's endpoint, signed with
     * that tenant's secret; {@code key} names the event, so a repeat is a no-op. Runs in the caller's transaction.
     * @return whether one was created
     */
    public boolean enqueueOperatorEvent(String type, String key, String url, Object data) {
        return enqueueEvent(dev.genq.storage.tenant.Tenant.DEFAULT_ID, null, type, type + ":" + key, url, data);
    }

    private boolean enqueueEvent(UUID tenantId, UUID batchId, String type, String key, String url, Object data) {
        String payload;
        try {
            payload = json.writeValueAsString(new EventPayload(type, java.time.Instant.now(), data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        boolean disabled = disabled(tenantId, url);
        String id = deliveryId(UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        int inserted = em.createNativeQuery("""
                insert into webhook_deliveries (id, tenant_id, batch_id, event_type, url, payload, status, next_attempt_at, finished_at)
                values (?1, ?2, cast(nullif(?3, '') as uuid), ?8, ?4, ?5, ?6, case when ?7 then null else now() end, case when ?7 then now() else null end)
                on conflict (id) do nothing""")
                // a bound null has no type Postgres accepts for a uuid column; an empty string does, through nullif
                .setParameter(1, id).setParameter(2, tenantId).setParameter(3, batchId == null ? "" : batchId.toString()).setParameter(4, url)
                .setParameter(5, payload).setParameter(6, disabled ? WebhookDelivery.ENDPOINT_DISABLED : WebhookDelivery.PENDING)
                .setParameter(7, disabled).setParameter(8, type).executeUpdate();
        return inserted == 1 && !disabled;
    }

    private static boolean wants(Job job, String type) {
        return job.webhookEvents == null || Arrays.asList(job.webhookEvents.split(",")).contains(type);
    }

    /**
     * Takes up to {@code limit} due deliveries under a lease, fairly: each tenant's oldest due delivery first,
     * then each tenant's second, and never more than {@code per-tenant-concurrency} of one tenant's deliveries
     * leased at once (across gateways: claims are serialized by an advisory lock, and a leased row counts
     * until its attempt is recorded or its lease runs out). So a tenant whose receiver is slow holds at most
     * that many senders, and the others keep theirs. A lease left by a crashed gateway expires and the
     * delivery is taken again.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Claim> claimDue(int limit) {
        em.createNativeQuery("select pg_advisory_xact_lock(hashtext('genq-webhook-claims'))").getSingleResult();
        List<Object[]> rows = em.createNativeQuery("""
                update webhook_deliveries set lease_until = now() + make_interval(secs => ?1)
                where id in (
                    select id from webhook_deliveries where id in (
                        select due.id from (
                            select id, tenant_id, next_attempt_at,
                                   row_number() over (partition by tenant_id order by next_attempt_at, id) as turn
                            from webhook_deliveries
                            where status = 'pending' and next_attempt_at <= now()
                              and (lease_until is null or lease_until < now())) due
                        left join (select tenant_id, count(*) as sending from webhook_deliveries
                                   where status = 'pending' and lease_until >= now() group by tenant_id) busy
                               on busy.tenant_id = due.tenant_id
                        where due.turn + coalesce(busy.sending, 0) <= ?3
                        order by due.turn, due.next_attempt_at limit ?2)
                    for update skip locked)
                returning id, tenant_id, url, payload, attempts""")
                .setParameter(1, settings.lease().toMillis() / 1000.0).setParameter(2, limit)
                .setParameter(3, settings.perTenantConcurrency())
                .getResultList();
        return rows.stream().map(r -> new Claim((String) r[0], (UUID) r[1], (String) r[2], (String) r[3],
                ((Number) r[4]).intValue())).toList();
    }

    /** Records an attempt and decides what comes next: done, disabled, given up, or the next try's time. */
    @Transactional
    public void record(Claim claim, Result result) {
        WebhookDelivery d = WebhookDelivery.findById(claim.id());
        int attempt = claim.attempts() + 1;
        WebhookAttempt a = new WebhookAttempt();
        a.key = new WebhookAttempt.Key(claim.id(), attempt);
        a.durationMs = result.durationMs();
        a.responseStatus = result.status();
        a.error = result.error() == null ? null : truncate(result.error(), 500);
        a.persist();
        d.attempts = attempt;
        d.leaseUntil = null;
        OffsetDateTime now = OffsetDateTime.now();
        if (result.succeeded()) {
            finish(d, WebhookDelivery.SUCCEEDED, now);
        } else if (result.status() != null && result.status() == 410) {
            disableEndpoint(d, now);
        } else if (attempt > settings.retrySchedule().size()) {
            finish(d, WebhookDelivery.FAILED, now);
        } else {
            Duration wait = settings.retrySchedule().get(attempt - 1);
            if (result.retryAfter() != null) {
                Duration asked = result.retryAfter().compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : result.retryAfter();
                wait = asked.compareTo(wait) > 0 ? asked : wait;
            }
            d.nextAttemptAt = now.plus(wait);
        }
    }

    private static void finish(WebhookDelivery d, String status, OffsetDateTime now) {
        d.status = status;
        d.nextAttemptAt = null;
        d.finishedAt = now;
    }

    /** 410 Gone: the receiver asked for no more; every pending delivery to that URL stops too. */
    private void disableEndpoint(WebhookDelivery d, OffsetDateTime now) {
        finish(d, WebhookDelivery.ENDPOINT_DISABLED, now);
        em.createNativeQuery("""
                insert into webhook_disabled_endpoints (tenant_id, url, reason) values (?1, ?2, '410 Gone')
                on conflict do nothing""").setParameter(1, d.tenantId).setParameter(2, d.url).executeUpdate();
        em.createNativeQuery("""
                update webhook_deliveries set status = 'endpoint_disabled', next_attempt_at = null, finished_at = ?3
                where tenant_id = ?1 and url = ?2 and status = 'pending' and id <> ?4""")
                .setParameter(1, d.tenantId).setParameter(2, d.url).setParameter(3, Timestamp.from(now.toInstant()))
                .setParameter(4, d.id).executeUpdate();
    }

    /** Whether a tenant's endpoint was disabled by a 410. */
    @Transactional
    public boolean disabled(UUID tenantId, String url) {
        return ((Number) em.createNativeQuery("select count(*) from webhook_disabled_endpoints where tenant_id = ?1 and url = ?2")
                .setParameter(1, tenantId).setParameter(2, url).getSingleResult()).longValue() > 0;
    }

    /** Lets an endpoint receive deliveries again. @return whether it was disabled */
    @Transactional
    public boolean enable(UUID tenantId, String url) {
        return em.createNativeQuery("delete from webhook_disabled_endpoints where tenant_id = ?1 and url = ?2")
                .setParameter(1, tenantId).setParameter(2, url).executeUpdate() > 0;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
