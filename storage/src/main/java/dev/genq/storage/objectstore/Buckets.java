package dev.genq.storage.objectstore;

import java.util.List;

/**
 * Where samples live: pending until moderation decides, then outputs (downloadable) or quarantine; and the
 * images tenants upload as job inputs.
 */
public final class Buckets {
    public static final String PENDING = "genq-pending";
    public static final String OUTPUTS = "genq-outputs";
    public static final String QUARANTINE = "genq-quarantine";
    public static final String UPLOADS = "genq-uploads";
    public static final List<String> ALL = List.of(PENDING, OUTPUTS, QUARANTINE, UPLOADS);

    private Buckets() {
    }

    /** Object key of a sample: tenant first so a bucket can be partitioned or lifecycled per tenant. */
    public static String sampleKey(java.util.UUID tenantId, java.util.UUID jobId, int idx) {
        return jobPrefix(tenantId, jobId) + idx + ".png";
    }

    /** The prefix every sample key of a job starts with. */
    public static String jobPrefix(java.util.UUID tenantId, java.util.UUID jobId) {
        return tenantId + "/" + jobId + "/";
    }

    /** Object key of an upload (normalised PNG), tenant first like the samples'. */
    public static String uploadKey(java.util.UUID tenantId, java.util.UUID uploadId) {
        return tenantId + "/uploads/" + uploadId + ".png";
    }
}
