package dev.genq.moderation.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.upload.UploadStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.Color;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Uploads are scored with the samples' safety policy before any job may use them: one the classifier flags
 * for a quarantined concept is flagged, the others accepted; expired uploads are deleted, object and row.
 */
@QuarkusTest
class UploadScanTest {
    static final Duration SCAN_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    ObjectStore store;
    @Inject
    ModerationFixtures fixtures;
    @Inject
    UploadExpiry expiry;
    @Inject
    Uploads uploads;

    /** Uploads as the gateway leaves them: the object stored, the row scanning. */
    @jakarta.enterprise.context.ApplicationScoped
    public static class Uploads {
        @Inject
        ObjectStore store;

        public UUID stored(UUID tenant, byte[] png, Duration retention) {
            UUID id = UUID.randomUUID();
            String key = Buckets.uploadKey(tenant, id);
            if (png != null) { // null: a row whose object is missing
                store.put(Buckets.UPLOADS, key, png, "image/png");
            }
            QuarkusTransaction.requiringNew().run(() -> {
                Upload u = new Upload();
                u.id = id;
                u.tenantId = tenant;
                u.status = UploadStatus.SCANNING;
                u.format = "png";
                u.width = 32;
                u.height = 32;
                u.bytes = png == null ? 0 : png.length;
                u.objectKey = key;
                u.expiresAt = OffsetDateTime.now().plus(retention);
                u.persist();
            });
            return id;
        }

        public Upload awaitScanned(UUID id) throws InterruptedException {
            long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Upload u = QuarkusTransaction.requiringNew().call(() -> Upload.<Upload>findById(id));
                if (u.status != UploadStatus.SCANNING) {
                    return u;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("upload " + id + " still scanning after " + SCAN_TIMEOUT);
        }
    }

    @Test
    void aFlaggedUploadIsFlaggedWithItsReasonAndACleanOneAccepted() throws Exception {
        UUID tenant = fixtures.tenant().tenant();
        UUID red = uploads.stored(tenant, ModerationFixtures.picture(Color.RED), Duration.ofHours(1));
        UUID grey = uploads.stored(tenant, ModerationFixtures.picture(ModerationFixtures.GREY), Duration.ofHours(1));
        Upload flagged = uploads.awaitScanned(red);
        assertEquals(UploadStatus.FLAGGED, flagged.status);
        assertTrue(flagged.reasons.contains("weapon"), flagged.reasons);
        assertTrue(flagged.scannedAt != null);
        Upload accepted = uploads.awaitScanned(grey);
        assertEquals(UploadStatus.ACCEPTED, accepted.status);
        assertNull(accepted.reasons);
    }

    @Test
    void aPictureIsScoredAsAModelSeesItItsCentredSquareAsWellAsWhole() throws Exception {
        // a flagged picture in the middle of a wide grey strip: squeezed whole, the grey dilutes it below the
        // threshold; its centred square, which is what a job is given, is flagged
        java.awt.image.BufferedImage wide = new java.awt.image.BufferedImage(96, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = wide.createGraphics();
        g.setColor(ModerationFixtures.GREY);
        g.fillRect(0, 0, 96, 32);
        g.drawImage(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(ModerationFixtures.picture(Color.RED))), 32, 0, null);
        g.dispose();
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(wide, "png", png);
        UUID tenant = fixtures.tenant().tenant();
        Upload scanned = uploads.awaitScanned(uploads.stored(tenant, png.toByteArray(), Duration.ofHours(1)));
        assertEquals(UploadStatus.FLAGGED, scanned.status, "the centre decides: " + scanned.reasons);
    }

    @Test
    void anUploadThatCannotBeScoredIsFlaggedAfterItsTries() throws Exception {
        UUID tenant = fixtures.tenant().tenant();
        UUID id = uploads.stored(tenant, null, Duration.ofHours(1)); // its object is missing: every scan fails
        Upload scanned = uploads.awaitScanned(id);
        assertEquals(UploadStatus.FLAGGED, scanned.status, "fail closed");
        assertEquals("could not be scanned", scanned.reasons);
    }

    @Test
    void expiredUploadsAreDeletedObjectAndRow() throws Exception {
        UUID tenant = fixtures.tenant().tenant();
        UUID live = uploads.stored(tenant, ModerationFixtures.picture(ModerationFixtures.GREY), Duration.ofHours(1));
        UUID old = uploads.stored(tenant, ModerationFixtures.picture(ModerationFixtures.GREY), Duration.ofMinutes(-1)); // expired
        expiry.deleteExpired();
        assertNull(QuarkusTransaction.requiringNew().call(() -> Upload.findById(old)));
        assertFalse(store.exists(Buckets.UPLOADS, Buckets.uploadKey(tenant, old)));
        assertTrue(store.exists(Buckets.UPLOADS, Buckets.uploadKey(tenant, live)));
        assertEquals(UploadStatus.ACCEPTED, uploads.awaitScanned(live).status);
    }
}
