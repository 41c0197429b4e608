package dev.genq.storage.job;

import java.util.Locale;

/** A sample is downloadable only when {@link #RELEASED}. */
public enum SampleStatus {
    PENDING, RELEASED, QUARANTINED, REJECTED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
