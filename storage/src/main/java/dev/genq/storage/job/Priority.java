package dev.genq.storage.job;

import java.util.Locale;

/**
 * A job's lane. {@code interactive}: someone waits for it; dispatched first, counted against the tenant's
 * concurrency quota. {@code bulk}: batches and backfills; cheaper, dispatched when interactive work leaves room
 * (never starved: it keeps a minimum share), capped by its own per-tenant limit.
 */
public enum Priority {
    INTERACTIVE, BULK;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the priority for a wire name, or null if there is none. */
    public static Priority fromWire(String value) {
        for (Priority p : values()) {
            if (p.wire().equals(value)) {
                return p;
            }
        }
        return null;
    }
}
