package dev.genq.moderation.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiversityTest {
    @Test
    void fourIdenticalSamplesHaveNoDiversity() {
        float[] f = {0.6f, 0.8f, 0f};
        assertEquals(0.0, Diversity.of(List.of(f, f, f, f)));
    }

    @Test
    void orthogonalFeaturesAreOneApartAndOppositeOnesTwo() {
        assertEquals(1.0, Diversity.of(List.of(new float[] {1, 0}, new float[] {0, 1})));
        assertEquals(2.0, Diversity.of(List.of(new float[] {1, 0}, new float[] {-1, 0})));
        // three samples: pairs (a,b) 1, (a,c) 0, (b,c) 1 -> mean 2/3
        assertEquals(0.6667, Diversity.of(List.of(new float[] {1, 0}, new float[] {0, 1}, new float[] {1, 0})));
    }

    @Test
    void underTwoSamplesThereIsNoFigure() {
        assertNull(Diversity.of(List.of()));
        assertNull(Diversity.of(List.of(new float[] {1, 0})));
    }

    @Test
    void featuresRoundTripThroughTheirStoredBytes() {
        float[] f = {0.125f, -3.5f, Float.MIN_VALUE, 1e9f};
        byte[] bytes = Diversity.toBytes(f);
        assertEquals(16, bytes.length);
        assertArrayEquals(f, Diversity.fromBytes(bytes));
    }
}
