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
        assertEquals(2.0, StartRate.perSecond(steady(20, 0.5, 0.5), 1000), 1e-9);
    }

    @Test
    void anIdleMinuteBeforeABacklogIsNotServiceTime() {
        // 10 starts of a backlog every 0.5 s, and before them 10 old starts, a minute idle in between
        double[] starts = new double[20];
        System.arraycopy(steady(10, 0.5, 0.5), 0, starts, 0, 10);
        double[] old = steady(10, 0.5, 0.5 + 4.5 + 60);
        System.arraycopy(old, 0, starts, 10, 10);
        double rate = StartRate.perSecond(starts, 1000);
        // counting the idle minute as service time would say 19 / 70 s = 0.27 per second
        assertTrue(rate > 1.0 && rate <= 2.0, "rate " + rate);
    }

    @Test
    void aStallInProgressLowersTheRate() {
        double steady = StartRate.perSecond(steady(20, 0.5, 0.5), 1000);
        double stalled = StartRate.perSecond(steady(20, 0.5, 30), 1000);
        assertTrue(stalled < steady * 0.8, "30 s with no start: " + stalled + " against " + steady);
    }

    @Test
    void tooFewStartsOrNoTimeSayNothing() {
        assertEquals(0, StartRate.perSecond(new double[] {999}, 1000));
        assertEquals(0, StartRate.perSecond(new double[] {1000, 1000, 1000}, 1000));
    }
}
