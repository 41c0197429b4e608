package dev.genq.storage.messaging;

import dev.genq.storage.job.JobMode;

/** Kafka topic names. Job topics are keyed by job id so one job's messages stay ordered. */
public final class Topics {
    public static final String JOBS_PREVIEW = "genq.jobs.preview";
    public static final String JOBS_FULL = "genq.jobs.full";
    public static final String SAMPLES_GENERATED = "genq.samples.generated";
    /** Job state changes for webhooks; keyed by job id. */
    public static final String JOB_EVENTS = "genq.job-events";
    /** Live previews a worker made, for moderation to score; keyed by job id, best effort (not stored). */
    public static final String PREVIEWS_GENERATED = "genq.previews.generated";
    /** Live previews moderation scored (released with the image, or withheld); every gateway reads them all. */
    public static final String PREVIEWS_MODERATED = "genq.previews.moderated";

    private Topics() {
    }

    public static String forMode(JobMode mode) {
        return mode == JobMode.FULL ? JOBS_FULL : JOBS_PREVIEW;
    }
}
