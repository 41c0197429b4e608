package dev.genq.storage.job;

import java.util.Locale;

/**
 * A sample is downloadable only when {@link #RELEASED}. {@link #FAILED_QUALITY}: moderation found it is not a
 * picture (blank, near-constant, undecodable); it is never released and not billed. {@link #PARKED}: moderation
 * could not process it after its retries (a poison message); never released, not billed.
 */
public enum SampleStatus {
    PENDING, RELEASED, QUARANTINED, REJECTED, FAILED_QUALITY, PARKED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
