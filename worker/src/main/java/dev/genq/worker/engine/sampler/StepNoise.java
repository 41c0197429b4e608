package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Fresh Gaussian noise for one step of a batch, shaped like the sample, drawn from each sample's own stream. */
@FunctionalInterface
public interface StepNoise {
    NDArray next(NDManager manager, int step);

    /** Keeps the streams of these rows only, in this order (samples dropped from the batch). */
    default void retainRows(int[] rows) {
    }
}
