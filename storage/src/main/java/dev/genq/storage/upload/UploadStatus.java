package dev.genq.storage.upload;

import java.util.Locale;

/** Where an upload stands: scanned by moderation before any job may use it. */
public enum UploadStatus {
    /** Stored; moderation has not scored it yet. */
    SCANNING,
    /** Scored and clean: jobs of its tenant may use it until it expires. */
    ACCEPTED,
    /** The safety policy flagged it (or a reviewer rejected it): no job may use it. */
    FLAGGED,
    /** Flagged, and held for a reviewer to accept or reject (genq.moderation.uploads.on-flag=review). */
    IN_REVIEW;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UploadStatus fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter implements jakarta.persistence.AttributeConverter<UploadStatus, String> {
        @Override
        public String convertToDatabaseColumn(UploadStatus status) {
            return status == null ? null : status.wire();
        }

        @Override
        public UploadStatus convertToEntityAttribute(String value) {
            return value == null ? null : fromWire(value);
        }
    }
}
