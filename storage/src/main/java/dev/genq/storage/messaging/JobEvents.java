package dev.genq.storage.messaging;

import dev.genq.storage.outbox.OutboxMessage;
import java.time.Instant;
import java.util.UUID;

/** Records a {@link JobEvent} in the outbox; call it inside the transaction that made the change. */
public final class JobEvents {
    private JobEvents() {
    }

    public static JobEvent record(UUID tenantId, UUID jobId, String type) {
        return record(tenantId, jobId, type, null);
    }

    public static JobEvent record(UUID tenantId, UUID jobId, String type, Integer sample) {
        JobEvent event = new JobEvent(UUID.randomUUID(), type, jobId, tenantId, sample, Instant.now());
        OutboxMessage.of(tenantId, Topics.JOB_EVENTS, jobId.toString(), EventCodec.encode(event)).persist();
        return event;
    }
}
