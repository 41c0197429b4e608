package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genq.worker.engine.sampler.StepNoise;
import java.util.List;
import java.util.Random;

/**
 * One Gaussian stream per sample, seeded by the sample's seed and the stage: the initial noise is its
 * first draw, a stochastic sampler's step noise its next ones. Owned by the engine and generated in
 * Java, so a sample's noise never depends on its batch or on the native RNG's state.
 */
final class SampleStreams implements StepNoise {
    private Random[] streams;
    private final int plane;
    private final Shape sampleShape;

    SampleStreams(List<Long> seeds, int stage, Shape sampleShape) {
        this.streams = new Random[seeds.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new Random(stageSeed(seeds.get(i), stage));
        }
        this.plane = (int) sampleShape.size();
        this.sampleShape = sampleShape;
    }

    /** Each stage of a sample draws from its own stream, independent of the other stage's. */
    static long stageSeed(long sampleSeed, int stage) {
        return sampleSeed * 0x9E3779B97F4A7C15L + stage;
    }

    /** The next {@code plane} values of every stream, sample after sample. */
    float[] draw() {
        float[] out = new float[streams.length * plane];
        for (int s = 0; s < streams.length; s++) {
            for (int i = 0; i < plane; i++) {
                out[s * plane + i] = (float) streams[s].nextGaussian();
            }
        }
        return out;
    }

    @Override
    public NDArray next(NDManager manager, int step) {
        return manager.create(draw(), new Shape(streams.length).addAll(sampleShape));
    }

    @Override
    public void retainRows(int[] rows) {
        Random[] kept = new Random[rows.length];
        for (int i = 0; i < rows.length; i++) {
            kept[i] = streams[rows[i]];
        }
        streams = kept;
    }
}
