package dev.genq.storage.job;

import java.util.Locale;

/** {@code preview}: base model only; {@code full}: base then super-resolution. */
public enum JobMode {
    PREVIEW, FULL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode for a wire name, or null if there is none. */
    public static JobMode fromWire(String value) {
        for (JobMode m : values()) {
            if (m.wire().equals(value)) {
                return m;
            }
        }
        return null;
    }
}
