package dev.genq.worker.engine;

import java.util.Random;

/**
 * Gaussian noise owned by the engine, one stream per sample seed, generated in Java so that a sample's
 * pixels depend only on its own seed, never on the batch it shares or the native RNG's state.
 */
public final class SeededNoise {
    private SeededNoise() {
    }

    public static float[] gaussian(long seed, int count) {
        Random random = new Random(seed);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    /** The seed of a sample's second stage: independent of the first stage's stream. */
    public static long stageSeed(long sampleSeed, int stage) {
        return sampleSeed * 0x9E3779B97F4A7C15L + stage;
    }
}
