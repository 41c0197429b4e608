package dev.genq.storage.sql;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** A {@code timestamptz} column read by a native query, as the entities hold it (the driver's type varies by path). */
public final class SqlTimestamps {
    private SqlTimestamps() {
    }

    /** @return the value as UTC, or null for SQL null */
    public static OffsetDateTime utc(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof Instant t) {
            return t.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant().atOffset(ZoneOffset.UTC);
        }
        throw new IllegalStateException("unexpected timestamp type " + value.getClass());
    }
}
