package dev.genq.gateway.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.quota.StageCostFit.Line;
import dev.genq.gateway.quota.StageCostFit.Observation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageCostFitTest {
    /** A stage whose step costs 3 µUSD for the batch plus 2 µUSD per sample in it. */
    static Observation job(int samples, int steps) {
        return new Observation(samples, steps, steps * (3e-6 + 2e-6 * samples));
    }

    @Test
    void separatesTheStepsFixedPartFromThePerSamplePart() {
        Line line = StageCostFit.fit(List.of(job(1, 8), job(2, 25), job(4, 12), job(2, 4), job(1, 30)));
        assertEquals(3e-6, line.perStep(), 1e-12);
        assertEquals(2e-6, line.perSampleStep(), 1e-12);
    }

    @Test
    void aWarmUpJobFarOffTheLineIsLeftOut() {
        List<Observation> history = new ArrayList<>(List.of(job(1, 8), job(2, 25), job(4, 12), job(2, 4), job(1, 30), job(4, 8)));
        history.add(new Observation(2, 8, 3 * job(2, 8).usd())); // a worker's first job: three times slower
        Line line = StageCostFit.fit(history);
        assertEquals(3e-6, line.perStep(), 1e-12);
        assertEquals(2e-6, line.perSampleStep(), 1e-12);
    }

    @Test
    void oneSampleCountOnlyGivesACostProportionalToTheSamples() {
        Line line = StageCostFit.fit(List.of(job(2, 8), job(2, 20)));
        assertEquals(0, line.perStep());
        assertEquals((3e-6 + 4e-6) / 2, line.perSampleStep(), 1e-12, "the old per-sample-step average");
    }

    @Test
    void aNegativePartIsNeverFitted() {
        // cheaper per step with more samples (other jobs shared the big one's batches): per step only
        double w1 = StageCostFit.weight(1); // the older of two jobs
        Line shared = StageCostFit.fit(List.of(new Observation(1, 10, 10e-6), new Observation(4, 10, 8e-6)));
        assertEquals((1e-6 + w1 * 0.8e-6) / (1 + w1), shared.perStep(), 1e-15);
        assertEquals(0, shared.perSampleStep());
        // a per-step part below zero: proportional to the samples through the origin
        Line proportional = StageCostFit.fit(List.of(new Observation(1, 10, 1e-6), new Observation(4, 10, 10e-6)));
        assertEquals(0, proportional.perStep());
        assertEquals((1 * 0.1e-6 + w1 * 4 * 1e-6) / (1 + w1 * 16), proportional.perSampleStep(), 1e-15);
    }

    @Test
    void noUsableHistoryIsNoFit() {
        assertNull(StageCostFit.fit(List.of()));
        assertNull(StageCostFit.fit(List.of(new Observation(2, 0, 1e-6))));
    }

    @Test
    void theNewestJobsWeighMost() {
        // the machine got 20% faster: the ten newest jobs (first: history is newest first) at the new speed
        List<Observation> history = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            history.add(new Observation(1 + i % 3, 10, 0.8 * job(1 + i % 3, 10).usd()));
        }
        for (int i = 0; i < 10; i++) {
            history.add(job(1 + i % 3, 10));
        }
        Line line = StageCostFit.fit(history);
        double ratio = line.at(2) / (0.8 * (3e-6 + 2 * 2e-6));
        assertTrue(ratio > 1 && ratio < 1.1, "within 10% of the new speed, not halfway to the old: " + ratio);
    }
}
