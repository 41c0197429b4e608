package dev.genq.storage.messaging;

import java.time.Instant;
import java.util.UUID;

/**
 * Something a client may want to hear about happened to a job (topic {@link Topics#JOB_EVENTS}). Written
 * to the outbox in the transaction that made the change, so an event exists if and only if the change does.
 *
 * @param sample the sample index for {@code sample.*} events, else null
 */
public record JobEvent(UUID id, String type, UUID jobId, UUID tenantId, Integer sample, Instant at) {
    public static final String JOB_STARTED = "job.started";
    public static final String JOB_SUCCEEDED = "job.succeeded";
    public static final String JOB_FAILED = "job.failed";
    public static final String JOB_CANCELED = "job.canceled";
    public static final String JOB_NEEDS_REVIEW = "job.needs_review";
    public static final String JOB_REJECTED = "job.rejected";
    public static final String SAMPLE_RELEASED = "sample.released";
    public static final String SAMPLE_REJECTED = "sample.rejected";

    public static final java.util.List<String> TYPES = java.util.List.of(JOB_STARTED, JOB_SUCCEEDED, JOB_FAILED,
            JOB_CANCELED, JOB_NEEDS_REVIEW, JOB_REJECTED, SAMPLE_RELEASED, SAMPLE_REJECTED);
}
