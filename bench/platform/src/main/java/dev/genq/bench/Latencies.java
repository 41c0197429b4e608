package dev.genq.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds and their percentiles (nearest rank). */
final class Latencies {
    private final long[] sorted;

    Latencies(long[] nanos) {
        sorted = nanos.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /** The p-th percentile in milliseconds; NaN without samples. */
    double millis(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
