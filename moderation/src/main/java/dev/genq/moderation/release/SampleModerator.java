package dev.genq.moderation.release;

import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import org.jboss.logging.Logger;

/**
 * Releases a generated sample: copies it from the pending bucket to the outputs bucket, marks it
 * released, and settles the job once none of its samples is pending. Scoring and quarantine replace
 * the unconditional release in a later step; the idempotency and completion logic here stays.
 */
@ApplicationScoped
public class SampleReleaser {
    private static final Logger LOG = Logger.getLogger(SampleReleaser.class);

    private final ObjectStore store;
    private final MeterRegistry metrics;

    public SampleReleaser(ObjectStore store, MeterRegistry metrics) {
        this.store = store;
        this.metrics = metrics;
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
        // copy first: a crash after the copy only repeats it; the sample is released only once the bytes are in place
        store.copy(Buckets.PENDING, sample.objectKey, Buckets.OUTPUTS);
        boolean released = QuarkusTransaction.requiringNew().call(() -> {
            // the job row lock serializes the samples of one job, so exactly one of them settles it
            Job job = Job.findById(event.jobId(), LockModeType.PESSIMISTIC_WRITE);
            int changed = Sample.update("status = ?1, settledAt = ?2 where jobId = ?3 and idx = ?4 and status = ?5",
                    SampleStatus.RELEASED, OffsetDateTime.now(), event.jobId(), event.idx(), SampleStatus.PENDING);
            if (changed == 0) {
                return false;
            }
            JobEvents.record(event.tenantId(), event.jobId(), JobEvent.SAMPLE_RELEASED, event.idx());
            long pending = Sample.count("jobId = ?1 and status = ?2", event.jobId(), SampleStatus.PENDING);
            if (pending == 0 && job != null
                    && Job.transition(job.id, EnumSet.of(JobStatus.MODERATING), JobStatus.SUCCEEDED)) {
                JobEvents.record(job.tenantId, job.id, JobEvent.JOB_SUCCEEDED);
                metrics.counter("genq.jobs.succeeded").increment();
            }
            return true;
        });
        if (released) {
            metrics.counter("genq.samples.released").increment();
            store.remove(Buckets.PENDING, sample.objectKey);
        }
    }
}
