package dev.genq.gateway.canary;

/**
 * A sequential probability ratio test of "the canary's jobs go wrong more often than stable's", built on which
 * version each bad job came from. Each job is pinned to the canary with probability {@code share}, whatever its
 * prompt, so while the canary is no worse each bad job is the canary's with probability {@code share}; if the
 * canary's rate is {@code rateRatio} times stable's, with probability {@code r·share / (r·share + 1 − share)}.
 * The likelihood ratio of the bad jobs seen so far is a martingale under "no worse", so by Ville's inequality it
 * ever reaches {@code 1/α} with probability at most α, however often it is looked at: the false-alarm rate holds
 * under continuous monitoring, with no fixed sample size. Rare bad events cost nothing: jobs that went right
 * carry no evidence either way, which is what makes this test quick on a canary that is plainly broken.
 */
public final class BadJobSprt {
    private final double share;
    private final double rateRatio;
    private final double falseAlarmRate;

    /**
     * @param share          the canary's share of the model's jobs, in (0, 1)
     * @param rateRatio      the regression the test is built to find: the canary's bad rate over stable's, &gt; 1
     * @param falseAlarmRate the most often a canary that is no worse is called a regression, in (0, 1)
     */
    public BadJobSprt(double share, double rateRatio, double falseAlarmRate) {
        if (!(share > 0 && share < 1) || !(rateRatio > 1) || !(falseAlarmRate > 0 && falseAlarmRate < 1)) {
            throw new IllegalArgumentException("share in (0,1), rate ratio > 1 and false-alarm rate in (0,1) needed, not "
                    + share + ", " + rateRatio + ", " + falseAlarmRate);
        }
        this.share = share;
        this.rateRatio = rateRatio;
        this.falseAlarmRate = falseAlarmRate;
    }

    /** The log likelihood ratio (regression over no regression) after {@code canaryBad} of {@code totalBad} bad jobs were the canary's. */
    public double logLikelihoodRatio(long canaryBad, long totalBad) {
        if (canaryBad < 0 || canaryBad > totalBad) {
            throw new IllegalArgumentException(canaryBad + " of " + totalBad + " bad jobs");
        }
        return canaryBad * Math.log(rateRatio) - totalBad * Math.log(1 + share * (rateRatio - 1));
    }

    /** The log likelihood ratio at which the test calls a regression: ln(1/α). */
    public double bound() {
        return Math.log(1 / falseAlarmRate);
    }

    /** Whether these counts are a regression at the test's false-alarm rate. */
    public boolean regression(long canaryBad, long totalBad) {
        return logLikelihoodRatio(canaryBad, totalBad) >= bound();
    }

    /**
     * How many bad canary jobs in a row (stable's all fine) the test needs to call a regression: the bound on how
     * many of a plainly broken canary's jobs run before it is rolled back (plus those already in flight).
     */
    public long badJobsToReject() {
        return (long) Math.ceil(bound() / (Math.log(rateRatio) - Math.log(1 + share * (rateRatio - 1))));
    }
}
