package dev.genq.gateway.dispatch;

/**
 * How fast jobs of a mode start, from the times of the most recent starts: starts per second of busy time. The
 * gaps between consecutive starts (and the one from the newest start to now) are the time it took to start each;
 * a gap far longer than the typical one ({@link #IDLE_FACTOR}× the mean of all but the longest tenth) is time the queue stood empty, not
 * service time, and counts only up to that bound, so a backlog arriving after an idle minute is not promised a
 * rate several times too slow, while a stall in progress still lowers the rate. Plain arithmetic, tested alone.
 */
final class StartRate {
    /** A gap longer than this many times the typical gap is (mostly) idle time. */
    static final double IDLE_FACTOR = 8;

    private StartRate() {
    }

    /**
     * @param startsNewestFirst start times in seconds (any epoch), newest first
     * @param now               the same clock's present
     * @return starts per second, 0 with fewer than 2 starts or no time between them
     */
    static double perSecond(double[] startsNewestFirst, double now) {
        int n = startsNewestFirst.length;
        if (n < 2) {
            return 0;
        }
        double[] gaps = new double[n];
        gaps[0] = Math.max(0, now - startsNewestFirst[0]);
        for (int i = 1; i < n; i++) {
            gaps[i] = Math.max(0, startsNewestFirst[i - 1] - startsNewestFirst[i]);
        }
        // the typical gap: the mean of all but the longest tenth (the idle gaps themselves, when there are any)
        double[] sorted = gaps.clone();
        java.util.Arrays.sort(sorted);
        int typical = Math.max(1, (int) Math.ceil(0.9 * n));
        double typicalSum = 0;
        for (int i = 0; i < typical; i++) {
            typicalSum += sorted[i];
        }
        double bound = IDLE_FACTOR * typicalSum / typical;
        double busy = 0;
        for (double g : gaps) {
            busy += Math.min(g, bound);
        }
        // n starts over the n gaps from the oldest to now: with no idle gap, the count over the span, as before
        return busy > 0 ? n / busy : 0;
    }
}
