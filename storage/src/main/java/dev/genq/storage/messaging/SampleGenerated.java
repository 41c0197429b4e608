package dev.genq.storage.messaging;

import java.util.UUID;

/**
 * A worker stored a sample in the pending bucket; moderation decides whether it is released. {@code priority}: its
 * job's lane (interactive or bulk; absent in events written before lanes existed: interactive), so moderation can
 * take interactive samples first.
 */
public record SampleGenerated(UUID jobId, UUID tenantId, int idx, String objectKey, String sha256, String priority) {

    public SampleGenerated(UUID jobId, UUID tenantId, int idx, String objectKey, String sha256) {
        this(jobId, tenantId, idx, objectKey, sha256, null);
    }

    /** Whether its job is bulk work (which waits behind interactive work). */
    public boolean bulk() {
        return "bulk".equals(priority);
    }
}
