package dev.genq.storage.objectstore;

import java.util.List;

/** Where samples live: pending until moderation decides, then outputs (downloadable) or quarantine. */
public final class Buckets {
    public static final String PENDING = "genq-pending";
    public static final String OUTPUTS = "genq-outputs";
    public static final String QUARANTINE = "genq-quarantine";
    public static final List<String> ALL = List.of(PENDING, OUTPUTS, QUARANTINE);

    private Buckets() {
    }

    /** Object key of a sample: tenant first so a bucket can be partitioned or lifecycled per tenant. */
    public static String sampleKey(java.util.UUID tenantId, java.util.UUID jobId, int idx) {
        return tenantId + "/" + jobId + "/" + idx + ".png";
    }
}
