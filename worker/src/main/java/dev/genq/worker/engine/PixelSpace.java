package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A model that draws the picture itself: its samples are the pictures. */
record PixelSpace(int channels, int resolution) implements SampleSpace {
    @Override
    public Shape sampleShape() {
        return new Shape(channels, resolution, resolution);
    }

    @Override
    public NDArray pictures(NDManager m, NDArray samples) {
        return samples;
    }
}
