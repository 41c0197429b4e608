package dev.genq.storage.messaging;

import java.util.UUID;

/** A worker stored a sample in the pending bucket; moderation decides whether it is released. */
public record SampleGenerated(UUID jobId, UUID tenantId, int idx, String objectKey, String sha256) {
}
