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
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Scores every upload still {@code scanning} with the safety classifier, the same policy as samples: an upload
 * a concept would quarantine is flagged (no job may use it) or, by configuration, held for review; any other is
 * accepted. Uploads are claimed for {@link #CLAIM} (with {@code for update skip locked}), so several moderation
 * instances share the work and none is scored twice at once; a failed scan is tried again after a doubling
 * backoff, and an upload that still cannot be scored after {@code max-attempts} is flagged (fail closed).
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

        /** Failed scans of one upload (it is tried again after a doubling backoff) before it is flagged unscanned. */
        @WithDefault("5")
        int maxAttempts();

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
        // claimed in a short transaction, scored outside any: no row lock or connection is held while it scores
        @SuppressWarnings("unchecked")
        List<Object[]> claimed = QuarkusTransaction.requiringNew().call(() -> Upload.getEntityManager().createNativeQuery("""
                update uploads set scan_claimed_until = now() + make_interval(secs => ?2), scan_attempts = scan_attempts + 1
                where id in (select id from uploads where status = 'scanning' and expires_at > now()
                             and (scan_claimed_until is null or scan_claimed_until < now())
                             order by created_at limit ?1 for update skip locked)
                returning cast(id as text), object_key, scan_attempts""")
                .setParameter(1, settings.batch()).setParameter(2, (double) CLAIM.toSeconds()).getResultList());
        boolean ok = true;
        for (Object[] row : claimed) {
            ok &= scan(UUID.fromString((String) row[0]), (String) row[1], ((Number) row[2]).intValue());
        }
        return ok;
    }

    /** Long enough to fetch and score one batch on a loaded machine; a crashed scanner's claim lapses after it. */
    static final Duration CLAIM = Duration.ofSeconds(60);

    private boolean scan(UUID id, String objectKey, int attempt) {
        UploadStatus status;
        String reasons;
        try {
            Verdict verdict = scorer.scoreUpload(store.get(Buckets.UPLOADS, objectKey));
            status = !verdict.quarantine() ? UploadStatus.ACCEPTED
                    : settings.onFlag() == OnFlag.REVIEW ? UploadStatus.IN_REVIEW : UploadStatus.FLAGGED;
            reasons = verdict.quarantine() ? String.join("; ", verdict.reasons()) : null;
        } catch (RuntimeException e) {
            if (attempt < settings.maxAttempts()) {
                LOG.warnf("upload %s: scan %d failed, tried again later: %s", id, attempt, e.toString());
                // the next try after a backoff that doubles, not at the claim's end
                QuarkusTransaction.requiringNew().run(() -> Upload.getEntityManager().createNativeQuery(
                                "update uploads set scan_claimed_until = now() + make_interval(secs => ?2) where id = ?1")
                        .setParameter(1, id).setParameter(2, (double) Math.min(60, 1L << attempt)).executeUpdate());
                return false;
            }
            // fail closed: what cannot be scored is never used
            LOG.warnf("upload %s: flagged after %d failed scans: %s", id, attempt, e.toString());
            status = UploadStatus.FLAGGED;
            reasons = "could not be scanned";
        }
        UploadStatus decided = status;
        String why = reasons;
        QuarkusTransaction.requiringNew().run(() -> Upload.update(
                "status = ?1, reasons = ?2, scannedAt = current_timestamp where id = ?3 and status = ?4",
                decided, why, id, UploadStatus.SCANNING));
        meters.uploadsScanned(status.wire()).increment();
        return true;
    }
}
