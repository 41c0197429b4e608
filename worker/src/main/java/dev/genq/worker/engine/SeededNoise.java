package dev.genq.worker.engine;

/** How a sample's seed becomes the seeds of its stages' noise streams. */
public final class SeededNoise {
    private SeededNoise() {
    }

    /** Each stage of a sample draws from its own stream, independent of the other stage's. */
    public static long stageSeed(long sampleSeed, int stage) {
        return sampleSeed * 0x9E3779B97F4A7C15L + stage;
    }
}
