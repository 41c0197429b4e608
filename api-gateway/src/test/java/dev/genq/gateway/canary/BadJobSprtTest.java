package dev.genq.gateway.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The canary test's two promises, checked by simulation with fixed seeds (so the test is deterministic): a canary
 * that is no worse is called a regression at most at the false-alarm rate even when looked at after every job, and
 * a plainly broken one is called after exactly {@link BadJobSprt#badJobsToReject()} of its bad jobs.
 */
class BadJobSprtTest {

    /** Simulates one canary's jobs, looking after every one; @return the job at which a regression was called, or -1. */
    static int firstAlarm(BadJobSprt test, Random random, double share, double stableRate, double canaryRate, int jobs) {
        long canaryBad = 0;
        long totalBad = 0;
        for (int j = 1; j <= jobs; j++) {
            boolean canary = random.nextDouble() < share;
            if (random.nextDouble() < (canary ? canaryRate : stableRate)) {
                totalBad++;
                if (canary) {
                    canaryBad++;
                }
                if (test.regression(canaryBad, totalBad)) {
                    return j;
                }
            }
        }
        return -1;
    }

    @Test
    void aCanaryNoWorseIsCalledARegressionAtMostAtTheFalseAlarmRateHoweverOftenItIsLookedAt() {
        double alpha = 0.05; // large enough that 4,000 runs measure it
        int runs = 4_000;
        for (double share : new double[] {0.05, 0.5}) {
            BadJobSprt test = new BadJobSprt(share, 3, alpha);
            Random random = new Random(42);
            int alarms = 0;
            for (int r = 0; r < runs; r++) {
                if (firstAlarm(test, random, share, 0.1, 0.1, 2_000) >= 0) {
                    alarms++;
                }
            }
            double rate = alarms / (double) runs;
            System.out.printf("share %.2f: %d false alarms in %d equal canaries of 2,000 jobs, looked at after every job (%.4f; alpha %.2f)%n",
                    share, alarms, runs, rate, alpha);
            assertTrue(rate <= alpha + 3 * Math.sqrt(alpha * (1 - alpha) / runs), "false-alarm rate " + rate + " at share " + share);
        }
    }

    @Test
    void aBrokenCanaryIsCalledAfterExactlyTheBoundOfItsBadJobs() {
        for (double share : new double[] {0.05, 0.25, 0.5}) {
            BadJobSprt test = new BadJobSprt(share, 3, 0.0025);
            long bound = test.badJobsToReject();
            for (long bad = 0; bad < bound; bad++) {
                assertFalse(test.regression(bad, bad), bad + " bad canary jobs at share " + share);
            }
            assertTrue(test.regression(bound, bound), bound + " bad canary jobs at share " + share);
            System.out.printf("share %.2f: a canary whose every job goes wrong is rolled back after %d of them%n", share, bound);
        }
        assertEquals(15, new BadJobSprt(0.5, 3, 0.0025).badJobsToReject(), "ln(400) / (ln 3 - ln 2)");
    }

    @Test
    void aCanaryThreeTimesAsBadIsFoundMostOfTheTime() {
        BadJobSprt test = new BadJobSprt(0.5, 3, 0.0025);
        Random random = new Random(7);
        int found = 0;
        int runs = 500;
        for (int r = 0; r < runs; r++) {
            if (firstAlarm(test, random, 0.5, 0.05, 0.15, 2_000) >= 0) {
                found++;
            }
        }
        System.out.printf("a canary failing 15%% of jobs against stable's 5%% found within 2,000 jobs in %d of %d runs%n", found, runs);
        assertTrue(found >= 0.95 * runs, found + " of " + runs);
    }

    @Test
    void goodJobsCarryNoEvidenceAndStableBadJobsCountForTheCanary() {
        BadJobSprt test = new BadJobSprt(0.1, 3, 0.01);
        assertEquals(0, test.logLikelihoodRatio(0, 0), 1e-12);
        assertTrue(test.logLikelihoodRatio(0, 5) < 0, "bad stable jobs are evidence for the canary");
        assertThrows(IllegalArgumentException.class, () -> test.logLikelihoodRatio(3, 2));
        assertThrows(IllegalArgumentException.class, () -> new BadJobSprt(1, 3, 0.01));
        assertThrows(IllegalArgumentException.class, () -> new BadJobSprt(0.5, 1, 0.01));
    }
}
