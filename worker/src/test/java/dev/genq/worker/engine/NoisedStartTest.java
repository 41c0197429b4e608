package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NoisedStartTest {

    @Test
    void mixesImageAndNoiseBySqrtAlphaBar() {
        float[] image = {1f, -1f, 0.5f};
        float[] noise = {0.2f, 0.4f, -2f};
        NoisedStart.mix(image, noise, 0.64); // sqrt = 0.8 signal, 0.6 noise
        assertArrayEquals(new float[]{0.8f + 0.12f, -0.8f + 0.24f, 0.4f - 1.2f}, noise, 1e-6f);
    }

    @Test
    void theEndsOfTheScheduleAreTheImageAndThePureNoise() {
        float[] image = {0.3f, -0.7f};
        float[] clean = {5f, 6f};
        NoisedStart.mix(image, clean, 1.0);
        assertArrayEquals(image, clean, "alpha bar 1: no noise left");
        float[] pure = {5f, 6f};
        NoisedStart.mix(image, pure, 0.0);
        assertArrayEquals(new float[]{5f, 6f}, pure, "alpha bar 0: nothing of the image");
    }

    @Test
    void refusesAnImageOfAnotherSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoisedStart.mix(new float[3], new float[4], 0.5));
        assertEquals("image and noise differ in size: 3 vs 4", e.getMessage());
    }
}
