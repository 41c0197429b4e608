package dev.genq.moderation.release;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.moderation.quality.Diversity;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.JobEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;
import java.util.List;

/**
 * Moves a job to where its samples say it is, once none is pending: any quarantined → needs_review;
 * else any released → succeeded; else, if every sample failed the quality check, → failed (quality_failed);
 * else, if none was rejected (parked samples, moderation gave up on them) → failed (moderation_failed);
 * else (rejected, with or without failed_quality or parked) → rejected. It also records the job's diversity. Call with
 * the job row locked.
 */
@ApplicationScoped
public class JobSettler {
    public static final String QUALITY_FAILED = "quality_failed";
    public static final String MODERATION_FAILED = "moderation_failed";

    private final ModerationMeters meters;

    public JobSettler(ModerationMeters meters) {
        this.meters = meters;
    }

    public void settle(Job job) {
        if (job == null || Sample.count("jobId = ?1 and status = ?2", job.id, SampleStatus.PENDING) > 0) {
            return;
        }
        recordDiversity(job);
        EnumSet<JobStatus> from = EnumSet.of(JobStatus.MODERATING, JobStatus.NEEDS_REVIEW);
        if (Sample.count("jobId = ?1 and status = ?2", job.id, SampleStatus.QUARANTINED) > 0) {
            if (Job.transition(job.id, EnumSet.of(JobStatus.MODERATING), JobStatus.NEEDS_REVIEW)) {
                JobEvents.record(job.tenantId, job.id, JobEvent.JOB_NEEDS_REVIEW);
                meters.jobsNeedsReview().increment();
            }
        } else if (Sample.count("jobId = ?1 and status = ?2", job.id, SampleStatus.RELEASED) > 0) {
            if (Job.transition(job.id, from, JobStatus.SUCCEEDED)) {
                JobEvents.record(job.tenantId, job.id, JobEvent.JOB_SUCCEEDED);
                meters.jobsSucceeded().increment();
            }
        } else if (Sample.count("jobId = ?1 and status <> ?2", job.id, SampleStatus.FAILED_QUALITY) == 0) {
            // no sample was a picture: the job fails, and none of it is billed
            fail(job, QUALITY_FAILED, "no sample passed the quality check (see each sample's quality); nothing was billed");
        } else if (Sample.count("jobId = ?1 and status = ?2", job.id, SampleStatus.REJECTED) == 0) {
            // none released, none rejected: parked (and failed_quality) only; nothing was billed
            fail(job, MODERATION_FAILED, "moderation could not process this job's samples; nothing was billed");
        } else if (Job.transition(job.id, from, JobStatus.REJECTED)) {
            JobEvents.record(job.tenantId, job.id, JobEvent.JOB_REJECTED);
            meters.jobsRejected().increment();
        }
    }

    private void fail(Job job, String code, String message) {
        if (Job.fail(job.id, code, message)) {
            JobEvents.record(job.tenantId, job.id, JobEvent.JOB_FAILED);
            meters.jobsFailed(code).increment();
        }
    }

    /** Once, when the last sample is decided: how different the job's pictures are (null under two). */
    private void recordDiversity(Job job) {
        List<float[]> features = Sample.<Sample>list("jobId = ?1 and features is not null order by idx", job.id).stream()
                .map(s -> Diversity.fromBytes(s.features)).toList();
        Double diversity = Diversity.of(features);
        if (diversity != null && Job.update("diversity = ?1 where id = ?2 and diversity is null", diversity, job.id) == 1) {
            meters.qualityDiversity(job.modelVersion).record(diversity);
        }
    }
}
