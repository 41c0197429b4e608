package dev.genq.moderation.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.api.auth.Caller;
import dev.genq.api.problem.ProblemException;
import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.moderation.release.JobSettler;
import dev.genq.moderation.safety.Verdict;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.review.ReviewEvent;
import dev.genq.storage.review.ReviewItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The human review queue: items are opened by moderation, claimed by one reviewer at a time (a lock
 * with an expiry), and decided once; every step is an audit event. Approve releases the sample (its bytes
 * move to outputs); reject deletes its bytes (at once, or after the configured retention).
 */
@ApplicationScoped
public class ReviewQueue {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SYSTEM = "genq-moderation";

    private final ReviewSettings settings;
    private final ObjectStore store;
    private final JobSettler settler;
    private final ModerationMeters meters;

    public ReviewQueue(ReviewSettings settings, ObjectStore store, JobSettler settler, ModerationMeters meters) {
        this.settings = settings;
        this.store = store;
        this.settler = settler;
        this.meters = meters;
    }

    /** Opens an item for a just-quarantined sample (in the moderator's transaction). */
    public void open(Job job, int sample, Verdict verdict) {
        ReviewItem item = new ReviewItem();
        item.id = UUID.randomUUID();
        item.tenantId = job.tenantId;
        item.jobId = job.id;
        item.sampleIdx = sample;
        item.status = ReviewItem.PENDING;
        item.concepts = String.join(",", verdict.flagged());
        item.scores = json(verdict.image());
        item.reasons = json(verdict.reasons());
        item.persist();
        ReviewEvent.record(item.id, null, SYSTEM, "queued", String.join("; ", verdict.reasons()));
    }

    /** Pending items, oldest first; a reviewer sees its own tenant's, an admin every tenant's. */
    public List<ReviewItem> pending(Caller caller, boolean allTenants, String concept, int limit) {
        StringBuilder q = new StringBuilder("status = :status");
        var params = io.quarkus.panache.common.Parameters.with("status", ReviewItem.PENDING);
        if (!allTenants) {
            q.append(" and tenantId = :tenant");
            params = params.and("tenant", caller.tenantId());
        }
        if (concept != null && !concept.isBlank()) {
            q.append(" and (concepts = :c or concepts like :c1 or concepts like :c2 or concepts like :c3)");
            params = params.and("c", concept).and("c1", concept + ",%").and("c2", "%," + concept).and("c3", "%," + concept + ",%");
        }
        q.append(" order by createdAt, id");
        return ReviewItem.<ReviewItem>find(q.toString(), params).page(0, limit).list();
    }

    /** The item if the caller may see it; 404 otherwise (another tenant's item does not exist for it). */
    public ReviewItem get(Caller caller, boolean allTenants, String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("review_not_found", "no review item " + id);
        }
        ReviewItem item = ReviewItem.findById(uuid, LockModeType.PESSIMISTIC_WRITE);
        if (item == null || !allTenants && !item.tenantId.equals(caller.tenantId())) {
            throw ProblemException.notFound("review_not_found", "no review item " + id);
        }
        return item;
    }

    /** Claims an item for the caller: 409 while another reviewer's claim has not expired. */
    public ReviewItem claim(Caller caller, boolean allTenants, String id) {
        ReviewItem item = get(caller, allTenants, id);
        requirePending(item);
        OffsetDateTime now = OffsetDateTime.now();
        if (item.claimedBy != null && !item.claimedBy.equals(caller.keyId()) && item.claimExpiresAt.isAfter(now)) {
            throw ProblemException.conflict("review_claimed", "claimed by " + item.claimedByName + " until " + item.claimExpiresAt);
        }
        item.claimedBy = caller.keyId();
        item.claimedByName = caller.keyName();
        item.claimExpiresAt = now.plus(settings.claimDuration());
        ReviewEvent.record(item.id, caller.keyId(), caller.keyName(), "claimed", null);
        return item;
    }

    /** Approves or rejects; the caller must hold the claim or the item must be unclaimed (then it is claimed now). */
    public ReviewItem decide(Caller caller, boolean allTenants, String id, DecisionRequest request) {
        if (request == null || !("approve".equals(request.decision()) || "reject".equals(request.decision()))) {
            throw ProblemException.badRequest("invalid_decision", "'decision' must be 'approve' or 'reject'");
        }
        if (request.note() != null && request.note().length() > 2000) {
            throw ProblemException.badRequest("note_too_long", "'note' is longer than 2000 characters");
        }
        ReviewItem item = claim(caller, allTenants, id);
        Job job = Job.findById(item.jobId, LockModeType.PESSIMISTIC_WRITE);
        Sample sample = Sample.findById(new SampleId(item.jobId, item.sampleIdx));
        OffsetDateTime now = OffsetDateTime.now();
        boolean approve = "approve".equals(request.decision());
        if (approve) {
            store.copy(Buckets.QUARANTINE, sample.objectKey, Buckets.OUTPUTS); // bytes in place before the URL can exist
            sample.status = SampleStatus.RELEASED;
            item.purgeAfter = now; // the quarantine copy goes once this commits: released bytes live in outputs only
            JobEvents.record(item.tenantId, item.jobId, JobEvent.SAMPLE_RELEASED, item.sampleIdx);
        } else {
            sample.status = SampleStatus.REJECTED;
            item.purgeAfter = now.plus(settings.rejectedRetention());
            JobEvents.record(item.tenantId, item.jobId, JobEvent.SAMPLE_REJECTED, item.sampleIdx);
        }
        sample.settledAt = now;
        item.status = approve ? ReviewItem.APPROVED : ReviewItem.REJECTED;
        item.decidedAt = now;
        item.claimExpiresAt = null;
        ReviewEvent.record(item.id, caller.keyId(), caller.keyName(), approve ? "approved" : "rejected", request.note());
        Sample.flush();
        settler.settle(job);
        meters.reviewDecisions(request.decision()).increment();
        meters.reviewDecisionLatency().record(Duration.between(item.createdAt, now));
        return item;
    }

    /**
     * Deletes quarantined bytes that are due: a rejected sample's once its retention is over, an approved
     * sample's copy at once (it was released to outputs). @return how many
     */
    public int purgeDue() {
        List<ReviewItem> due = QuarkusTransaction.requiringNew().call(() ->
                ReviewItem.<ReviewItem>list("purgeAfter <= ?1", OffsetDateTime.now()));
        int purged = 0;
        for (ReviewItem item : due) {
            String key = QuarkusTransaction.requiringNew().call(() ->
                    Sample.<Sample>findById(new SampleId(item.jobId, item.sampleIdx)).objectKey);
            store.remove(Buckets.QUARANTINE, key); // first the bytes: a crash here only repeats the removal
            QuarkusTransaction.requiringNew().run(() -> {
                ReviewItem.update("purgeAfter = null where id = ?1", item.id);
                ReviewEvent.record(item.id, null, SYSTEM, "purged", ReviewItem.APPROVED.equals(item.status)
                        ? "approved sample's quarantine copy deleted (it is released from outputs)"
                        : "rejected sample deleted from quarantine");
            });
            purged++;
        }
        return purged;
    }

    public ReviewView view(ReviewItem item, boolean withHistory) {
        Job job = Job.findById(item.jobId);
        Sample sample = Sample.findById(new SampleId(item.jobId, item.sampleIdx));
        String url = null;
        java.time.Instant expires = null;
        if (sample != null && sample.status == SampleStatus.QUARANTINED) { // reviewers see quarantined bytes, nothing else
            ObjectStore.PresignedUrl p = store.presignGet(Buckets.QUARANTINE, sample.objectKey, settings.thumbnailExpiry());
            url = p.url();
            expires = p.expiresAt();
        }
        List<ReviewView.HistoryEntry> history = withHistory ? ReviewEvent.of(item.id).stream()
                .map(e -> new ReviewView.HistoryEntry(e.at, e.actorName, e.action, e.note)).toList() : null;
        boolean claimLive = item.claimExpiresAt != null && item.claimExpiresAt.isAfter(OffsetDateTime.now());
        return new ReviewView(item.id, item.tenantId, item.jobId, item.sampleIdx, item.status, List.of(item.concepts.split(",")),
                read(item.scores, new TypeReference<Map<String, Double>>() { }), read(item.reasons, new TypeReference<List<String>>() { }),
                job == null ? null : job.prompt, item.createdAt, claimLive ? item.claimedByName : null,
                claimLive ? item.claimExpiresAt : null, item.decidedAt, url, expires,
                sample == null || sample.quality == null ? null : read(sample.quality, new TypeReference<ReviewView.Quality>() { }),
                history);
    }

    private static void requirePending(ReviewItem item) {
        if (!ReviewItem.PENDING.equals(item.status)) {
            throw ProblemException.conflict("review_decided", "this item was already " + item.status);
        }
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
