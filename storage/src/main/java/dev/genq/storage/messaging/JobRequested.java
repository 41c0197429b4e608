package dev.genq.storage.messaging;

import java.time.Instant;
import java.util.UUID;

/**
 * Asks a worker to run a job. Deliberately small: the job row in Postgres is the source of truth for
 * its parameters and status, so a stale or duplicate message can never override them.
 */
public record JobRequested(UUID jobId, UUID tenantId, String mode, Instant enqueuedAt) {
}
