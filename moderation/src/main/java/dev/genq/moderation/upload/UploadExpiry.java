package dev.genq.moderation.upload;

import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Deletes uploads past their retention: the object first, then the row, so a row never points at nothing
 * while it could still be used (a job that named it before fails as input_unavailable).
 */
@ApplicationScoped
public class UploadExpiry {
    private static final Logger LOG = Logger.getLogger(UploadExpiry.class);
    private final ObjectStore store;

    public UploadExpiry(ObjectStore store) {
        this.store = store;
    }

    @Scheduled(every = "${genq.moderation.uploads.expiry-every:60s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deleteExpired() {
        QuarkusTransaction.requiringNew().run(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = dev.genq.storage.upload.Upload.getEntityManager().createNativeQuery("""
                    select cast(id as text), object_key from uploads where expires_at <= now()
                    order by expires_at limit 500 for update skip locked""").getResultList();
            for (Object[] row : rows) {
                store.remove(Buckets.UPLOADS, (String) row[1]);
                dev.genq.storage.upload.Upload.delete("id = ?1", java.util.UUID.fromString((String) row[0]));
            }
            if (!rows.isEmpty()) {
                LOG.infof("deleted %d expired uploads", rows.size());
            }
        });
    }
}
