package dev.genq.moderation.upload;

import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import dev.genq.storage.upload.Upload;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Deletes uploads past their retention: the object first, then the row (an expired row is never used, so one
 * whose object is gone does no harm until it is deleted; a job that named it fails as input_unavailable).
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
        // no transaction is held while the store is called: a delete twice (two instances) is harmless
        @SuppressWarnings("unchecked")
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> Upload.getEntityManager().createNativeQuery("""
                select cast(id as text), object_key from uploads where expires_at <= now() order by expires_at limit 500""")
                .getResultList());
        for (Object[] row : rows) {
            store.remove(Buckets.UPLOADS, (String) row[1]);
            QuarkusTransaction.requiringNew().run(() -> Upload.delete("id = ?1", UUID.fromString((String) row[0])));
        }
        if (!rows.isEmpty()) {
            LOG.infof("deleted %d expired uploads", rows.size());
        }
    }
}
