package dev.genq.storage.retry;

import java.time.Duration;

/**
 * Capped exponential backoff, the one every retry loop in genq uses: the first wait is {@code initial},
 * each further failure doubles it, never past {@code max}; a success starts over.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < initial <= max, not " + initial + " and " + max);
        }
    }

    /** The wait after one of {@code previousMillis} (0 or less: this is the first failure). */
    public long nextMillis(long previousMillis) {
        long first = initial.toMillis();
        if (previousMillis <= 0) {
            return first;
        }
        long doubled = previousMillis > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : previousMillis * 2;
        return Math.min(max.toMillis(), Math.max(first, doubled));
    }

    /** A fresh wait for one loop to keep. */
    public Delay delay() {
        return new Delay(this);
    }

    /** One loop's current wait: grows with each failure, none after a success. Kept by one thread. */
    public static final class Delay {
        private final Backoff backoff;
        private long currentMillis;

        private Delay(Backoff backoff) {
            this.backoff = backoff;
        }

        /** Another failure: @return how long to wait before the next try */
        public long failed() {
            currentMillis = backoff.nextMillis(currentMillis);
            return currentMillis;
        }

        /** A success: the next failure waits {@code initial} again. */
        public void succeeded() {
            currentMillis = 0;
        }

        /** The wait now: 0 after a success. */
        public long currentMillis() {
            return currentMillis;
        }
    }
}
