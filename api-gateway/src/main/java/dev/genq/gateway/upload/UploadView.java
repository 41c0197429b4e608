package dev.genq.gateway.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.genq.storage.upload.Upload;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An upload as its tenant sees it. {@code status}: scanning (moderation has not scored it yet), accepted (jobs
 * may use it as {@code init_image} or {@code mask_image} until {@code expires_at}), flagged (never used;
 * {@code reasons} says why) or in_review (flagged, and waiting for a reviewer where moderation is set so).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Upload")
public record UploadView(UUID id, @Schema(enumeration = {"scanning", "accepted", "flagged", "in_review"}) String status,
                         @Schema(enumeration = {"png", "jpeg", "webp"}) String format, int width, int height, int bytes,
                         String reasons, OffsetDateTime createdAt, OffsetDateTime expiresAt) {

    static UploadView of(Upload u) {
        return new UploadView(u.id, u.status.wire(), u.format, u.width, u.height, u.bytes, u.reasons, u.createdAt, u.expiresAt);
    }
}
