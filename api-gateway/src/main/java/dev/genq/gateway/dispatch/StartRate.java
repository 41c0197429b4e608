package dev.genq.gateway.dispatch;

/**
 * How fast jobs of a mode start, from the times of the most recent starts: starts per second of busy time.
 * Starts within {@link #CLUSTER_SECONDS} of each other are one moment (a worker takes a batch of jobs at once), so
 * the gaps between moments are the time each batch took. A gap between moments far longer than the typical one
 * ({@link #IDLE_FACTOR}× the mean of the others, the longest tenth left out) is time the queue stood empty, not
 * service time, and counts only up to that bound, so a backlog arriving after an idle minute is not promised a
 * rate several times too slow. The time since the newest start counts past one mean gap: within it the next batch is
 * simply not due yet (counting it made the rate of batched starts 20% slow on average, and a third slow just before a
 * batch); past it the queue is stalling, and the rate must fall with every second of it. Plain arithmetic, tested alone.
 */
final class StartRate {
    /** A gap longer than this many times the typical gap is (mostly) idle time. */
    static final double IDLE_FACTOR = 8;
    /** Starts closer than this are one batch's. */
    static final double CLUSTER_SECONDS = 0.05;

    private StartRate() {
    }

    /**
     * @param startsNewestFirst start times in seconds (any epoch), newest first
     * @param now               the same clock's present
     * @return starts per second, 0 with fewer than 2 moments or no time between them
     */
    static double perSecond(double[] startsNewestFirst, double now) {
        int n = startsNewestFirst.length;
        // moments: start times with the starts closer than CLUSTER_SECONDS merged; the oldest's size is remembered
        double[] moments = new double[n];
        int m = 0;
        int oldestSize = 0;
        for (int i = 0; i < n; i++) {
            if (m > 0 && moments[m - 1] - startsNewestFirst[i] < CLUSTER_SECONDS) {
                oldestSize++;
            } else {
                moments[m++] = startsNewestFirst[i];
                oldestSize = 1;
            }
        }
        if (m < 2) {
            return 0;
        }
        double[] gaps = new double[m - 1];
        for (int i = 1; i < m; i++) {
            gaps[i - 1] = moments[i - 1] - moments[i];
        }
        double bound = Double.MAX_VALUE;
        if (gaps.length >= 3) {
            // the typical gap: the mean of all but the longest tenth (at least one: an idle gap itself)
            double[] sorted = gaps.clone();
            java.util.Arrays.sort(sorted);
            int typical = gaps.length - Math.max(1, gaps.length / 10);
            double sum = 0;
            for (int i = 0; i < typical; i++) {
                sum += sorted[i];
            }
            bound = IDLE_FACTOR * sum / typical;
        }
        double busy = 0;
        for (double g : gaps) {
            busy += Math.min(g, bound);
        }
        double meanGap = busy / gaps.length;
        busy += Math.max(0, now - moments[0] - meanGap);
        // the starts after the oldest moment, over the time since it (the oldest moment only opens the span)
        return busy > 0 ? (n - oldestSize) / busy : 0;
    }
}
