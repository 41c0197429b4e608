package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genq.storage.job.ImageSize;

/**
 * Where a text-to-image model's denoiser draws: the picture itself ({@link PixelSpace}) or latents that a
 * {@code vae_decoder} turns into it ({@link LatentDecoder}). The loop is the same in both; only this differs.
 */
interface SampleSpace extends AutoCloseable {
    /** One sample of a picture of {@code size} as the denoiser sees it: [C, H, W]. */
    Shape sampleShape(ImageSize size);

    /**
     * Samples [N, C, H, W] (finished, or a live preview's x0 estimate) as pictures [N, channels, height, width] in about
     * [-1, 1]; the engine clips them and runs this in fixed-shape chunks.
     */
    NDArray pictures(NDManager m, NDArray samples);

    @Override
    default void close() {
    }
}
