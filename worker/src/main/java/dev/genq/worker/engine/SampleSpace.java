package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Where a text-to-image model's denoiser draws: the picture itself ({@link PixelSpace}) or latents that a
 * {@code vae_decoder} turns into it ({@link LatentDecoder}). The loop is the same in both; only this differs.
 */
interface SampleSpace extends AutoCloseable {
    /** One sample as the denoiser sees it: [C, H, W]. */
    Shape sampleShape();

    /** The finished samples [N, C, H, W] as pictures [N, channels, R, R] in about [-1, 1]. */
    NDArray pictures(NDManager m, NDArray samples);

    /** A live preview: the x0 estimate (unclipped) as pictures clipped to [-1, 1]. */
    default NDArray preview(NDManager m, NDArray x0) {
        return pictures(m, x0).clip(-1f, 1f);
    }

    @Override
    default void close() {
    }
}
