package dev.genq.moderation.release;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.moderation.quality.Diversity;
import dev.genq.moderation.quality.QualityCheck;
import dev.genq.moderation.quality.QualityVerdict;
import dev.genq.moderation.review.ReviewQueue;
import dev.genq.moderation.safety.SampleScorer;
import dev.genq.moderation.safety.Verdict;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleCost;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import dev.genq.moderation.provenance.ProvenanceStamp;
import org.jboss.logging.Logger;

/**
 * Decides one generated sample: gives it a quality verdict ({@link QualityCheck}; one that fails under a
 * 'fail' policy ends failed_quality, unreleased and unbilled), scores its safety, then releases it (copy to
 * genq-outputs) or quarantines it
 * (copy to genq-quarantine, a review item), either way stamped with its provenance ({@link ProvenanceStamp}). The
 * stamped copy is written first (the same bytes on a retry: Ed25519 is deterministic, its time the row's) and the pending object is removed last,
 * so a crash at any point only repeats work; the sample's status changes once (compare-and-set on
 * 'pending'), so a redelivered event changes nothing.
 */
@ApplicationScoped
public class SampleModerator {
    private static final Logger LOG = Logger.getLogger(SampleModerator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final QualityCheck quality;
    private final SampleScorer scorer;
    private final ReviewQueue reviews;
    private final JobSettler settler;
    private final ModerationMeters meters;
    private final ProvenanceStamp provenance;

    public SampleModerator(ObjectStore store, QualityCheck quality, SampleScorer scorer, ReviewQueue reviews, JobSettler settler,
                           ModerationMeters meters, ProvenanceStamp provenance) {
        this.provenance = provenance;
        this.store = store;
        this.quality = quality;
        this.scorer = scorer;
        this.reviews = reviews;
        this.settler = settler;
        this.meters = meters;
    }

    public void handle(SampleGenerated event) {
        Sample sample = QuarkusTransaction.requiringNew().call(() ->
                Sample.<Sample>findById(new SampleId(event.jobId(), event.idx())));
        if (sample == null) {
            LOG.warnf("sample %s/%d: no such sample, event skipped", event.jobId(), event.idx());
            return;
        }
        if (sample.status != SampleStatus.PENDING) {
            return; // already decided: a redelivered event changes nothing
        }
        Job generated = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(event.jobId()));
        byte[] png = store.get(Buckets.PENDING, sample.objectKey);
        QualityCheck.Result checked = quality.check(png, generated.prompt);
        if (checked.verdict().fails()) {
            failQuality(event, sample, checked.verdict(), generated.modelVersion);
            return;
        }
        byte[] features = checked.features() == null ? null : Diversity.toBytes(checked.features());
        Verdict verdict = scorer.score(png, generated.prompt);
        String target = verdict.quarantine() ? Buckets.QUARANTINE : Buckets.OUTPUTS;
        // stamped as it leaves pending (a reviewer's approval later moves these same bytes to outputs)
        ProvenanceStamp.Stamped stamped = provenance.stamp(generated, sample, png);
        store.put(target, sample.objectKey, stamped.png(), "image/png");
        boolean changed = QuarkusTransaction.requiringNew().call(() -> {
            // the job row lock serializes the samples of one job, so exactly one of them settles it
            Job job = Job.findById(event.jobId(), LockModeType.PESSIMISTIC_WRITE);
            SampleStatus to = verdict.quarantine() ? SampleStatus.QUARANTINED : SampleStatus.RELEASED;
            int updated = Sample.update("status = ?1, settledAt = ?2, moderation = ?3, quality = ?4, features = ?5,"
                            + " fingerprint = ?9 where jobId = ?6 and idx = ?7 and status = ?8", to, OffsetDateTime.now(),
                    json(verdict), json(checked.verdict()), features, event.jobId(), event.idx(), SampleStatus.PENDING,
                    stamped.fingerprint());
            if (updated == 0) {
                return false;
            }
            if (verdict.quarantine()) {
                reviews.open(job, event.idx(), verdict);
            } else {
                JobEvents.record(event.tenantId(), event.jobId(), JobEvent.SAMPLE_RELEASED, event.idx());
            }
            settler.settle(job);
            return true;
        });
        if (changed) {
            quality.count(checked.verdict(), generated.modelVersion);
            (verdict.quarantine() ? meters.samplesQuarantined() : meters.samplesReleased()).increment();
            store.remove(Buckets.PENDING, sample.objectKey);
        }
    }

    /**
     * A pending sample to a final status that is never released nor billed, with why in {@code column}
     * ({@code quality} or {@code moderation}), and its job settled. @return false if it was decided meanwhile
     */
    private boolean settleUnbilled(SampleGenerated event, SampleStatus status, String column, String why) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Job job = Job.findById(event.jobId(), LockModeType.PESSIMISTIC_WRITE);
            int updated = Sample.update("status = ?1, settledAt = ?2, " + column + " = ?3 where jobId = ?4 and idx = ?5 and status = ?6",
                    status, OffsetDateTime.now(), why, event.jobId(), event.idx(), SampleStatus.PENDING);
            if (updated == 0) {
                return false;
            }
            SampleCost.update("billable = false where jobId = ?1 and sampleIdx = ?2", event.jobId(), event.idx());
            settler.settle(job);
            return true;
        });
    }

    /** Failed the quality check under a 'fail' policy: never released, its cost rows kept but not billable. */
    private void failQuality(SampleGenerated event, Sample sample, QualityVerdict quality, String modelVersion) {
        if (settleUnbilled(event, SampleStatus.FAILED_QUALITY, "quality", json(quality))) {
            this.quality.count(quality, modelVersion);
            LOG.warnf("sample %s/%d failed the quality check (%s): failed_quality, not billed", event.jobId(), event.idx(),
                    String.join(", ", quality.reasons()));
            meters.samplesFailedQuality().increment();
            store.remove(Buckets.PENDING, sample.objectKey);
        }
    }

    /**
     * Gives up on a sample moderation could not process after its retries: parked, never released, not
     * billed, its job settled without it. @return false if it was decided meanwhile (nothing changed)
     */
    public boolean park(SampleGenerated event, String reason) {
        boolean changed = settleUnbilled(event, SampleStatus.PARKED, "moderation", json(java.util.Map.of("parked", reason)));
        if (changed) {
            LOG.errorf("sample %s/%d parked after repeated failures: %s", event.jobId(), event.idx(), reason);
            meters.samplesParked().increment();
        }
        return changed;
    }

    private static String json(java.util.Map<String, String> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(QualityVerdict q) {
        try {
            return JSON.writeValueAsString(q);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Verdict v) {
        try {
            return JSON.writeValueAsString(java.util.Map.of("image", v.image(), "prompt", v.prompt(), "flagged", v.flagged(),
                    "quarantine", v.quarantine(), "classifier", v.classifier()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
