package dev.genq.moderation.upload;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.moderation.safety.SampleScorer;
import dev.genq.moderation.safety.Verdict;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.retry.Backoff;
import dev.genq.storage.retry.PollingLoop;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.upload.UploadStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Scores every upload still {@code scanning} with the safety classifier, the same policy as samples: an upload
 * a concept would quarantine is flagged (no job may use it) or, by configuration, held for review; any other is
 * accepted. Uploads are claimed with
 * {@code for update skip locked}, so several moderation instances share the work and none is scored twice
 * at once; a failure leaves the upload scanning, to be tried again after a capped backoff.
 */
@ApplicationScoped
public class UploadScanner {
    private static final Logger LOG = Logger.getLogger(UploadScanner.class);

    @ConfigMapping(prefix = "genq.moderation.uploads")
    public interface Settings {
        @WithDefault("PT0.2S")
        Duration pollInterval();

        /** Uploads claimed per round. */
        @WithDefault("8")
        int batch();

        /** What a flagged upload becomes: refused for good, or held for a reviewer (GET /v1/upload-reviews). */
        @WithDefault("refuse")
        OnFlag onFlag();
    }

    public enum OnFlag {
        REFUSE, REVIEW
    }

    private final ObjectStore store;
    private final SampleScorer scorer;
    private final ModerationMeters meters;
    private final Settings settings;
    private final PollingLoop loop;

    public UploadScanner(ObjectStore store, SampleScorer scorer, ModerationMeters meters, Settings settings) {
        this.store = store;
        this.scorer = scorer;
        this.meters = meters;
        this.settings = settings;
        this.loop = new PollingLoop("genq-upload-scanner", settings.pollInterval(),
                new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10)), this::scanSome);
    }

    void start(@Observes StartupEvent ignored) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        loop.stop(Duration.ofSeconds(10));
    }

    /** One round: claims and scores up to a batch. @return false if any failed (the loop backs off) */
    boolean scanSome() {
        return Boolean.TRUE.equals(QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UUID> ids = Upload.getEntityManager().createNativeQuery("""
                    select id from uploads where status = 'scanning' and expires_at > now()
                    order by created_at limit ?1 for update skip locked""", UUID.class)
                    .setParameter(1, settings.batch()).getResultList();
            boolean ok = true;
            for (UUID id : ids) {
                ok &= scan(Upload.findById(id));
            }
            return ok;
        }));
    }

    private boolean scan(Upload upload) {
        try {
            Verdict verdict = scorer.scoreUpload(store.get(Buckets.UPLOADS, upload.objectKey));
            upload.status = !verdict.quarantine() ? UploadStatus.ACCEPTED
                    : settings.onFlag() == OnFlag.REVIEW ? UploadStatus.IN_REVIEW : UploadStatus.FLAGGED;
            upload.reasons = verdict.quarantine() ? String.join("; ", verdict.reasons()) : null;
            upload.scannedAt = OffsetDateTime.now();
            meters.uploadsScanned(upload.status.wire()).increment();
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("upload %s: scan failed, tried again later: %s", upload.id, e.toString());
            return false;
        }
    }
}
