package dev.genq.gateway.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartRateTest {
    /** {@code n} starts {@code every} seconds apart, the newest {@code sinceNewest} before now (= 1000). */
    static double[] steady(int n, double every, double sinceNewest) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = 1000 - sinceNewest - i * every;
        }
        return s;
    }

    @Test
    void aSteadyQueueStartsAtItsPace() {
        // 19 starts after the oldest, over the 19 gaps since it: 2 a second, wherever now falls before the next start
        assertEquals(2.0, StartRate.perSecond(steady(20, 0.5, 0.5), 1000), 1e-9);
        assertEquals(2.0, StartRate.perSecond(steady(20, 0.5, 0.01), 1000), 1e-9);
        // a start overdue by a second: the rate falls
        assertEquals(19 / 10.5, StartRate.perSecond(steady(20, 0.5, 1.5), 1000), 1e-9);
    }

    @Test
    void anIdleMinuteBeforeABacklogIsNotServiceTime() {
        // 10 starts of a backlog every 0.5 s, and before them 10 old starts, a minute idle in between
        double[] starts = new double[20];
        System.arraycopy(steady(10, 0.5, 0.5), 0, starts, 0, 10);
        System.arraycopy(steady(10, 0.5, 0.5 + 4.5 + 60), 0, starts, 10, 10);
        double rate = StartRate.perSecond(starts, 1000);
        // counting the idle minute as service time would say 19 starts / 69.5 s = 0.27 per second
        assertTrue(rate > 1.2 && rate <= 2.0, "rate " + rate);
        // a short history too: 6 starts, the idle gap among them
        double[] few = {999.5, 999, 998.5, 938.5, 938, 937.5};
        assertTrue(StartRate.perSecond(few, 1000) > 0.5, "6 starts: " + StartRate.perSecond(few, 1000));
    }

    @Test
    void aBatchStartingTogetherIsOneMoment() {
        // batches of 8 jobs starting within a few ms, a batch every 2 s: 4 jobs a second
        double[] starts = new double[24];
        for (int i = 0; i < 24; i++) {
            starts[i] = 1000 - 1 - (i / 8) * 2.0 - (i % 8) * 0.002;
        }
        double rate = StartRate.perSecond(starts, 1000);
        assertEquals(4.0, rate, 0.05, "8 jobs every 2 s, asked 1 s after the newest batch (counting that second said 3.2)");
    }

    @Test
    void aStallInProgressKeepsLoweringTheRate() {
        double steady = StartRate.perSecond(steady(25, 0.5, 0.5), 1000);
        double stalled30 = StartRate.perSecond(steady(25, 0.5, 30), 1000);
        double stalled300 = StartRate.perSecond(steady(25, 0.5, 300), 1000);
        assertTrue(stalled30 < steady * 0.5, "30 s with no start: " + stalled30 + " against " + steady);
        assertTrue(stalled300 < stalled30 * 0.2, "300 s with no start: " + stalled300 + " against " + stalled30);
    }

    @Test
    void tooFewMomentsOrNoTimeSayNothing() {
        assertEquals(0, StartRate.perSecond(new double[] {999}, 1000));
        assertEquals(0, StartRate.perSecond(new double[] {1000, 1000, 1000}, 1000));
        assertEquals(0, StartRate.perSecond(new double[] {}, 1000));
    }
}
