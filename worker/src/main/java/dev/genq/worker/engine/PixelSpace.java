package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genq.storage.job.ImageSize;

/** A model that draws the picture itself: its samples are the pictures. */
record PixelSpace(int channels) implements SampleSpace {
    @Override
    public Shape sampleShape(ImageSize size) {
        return new Shape(channels, size.height(), size.width());
    }

    @Override
    public NDArray pictures(NDManager m, NDArray samples) {
        return samples;
    }
}
