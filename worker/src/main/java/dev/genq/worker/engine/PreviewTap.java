package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;

/**
 * Takes live previews out of a running stage: before a step whose count it {@link #wants}, the engine hands
 * it the model's estimate of each remaining sample's finished image (x0, clipped to [-1, 1]). The last step
 * is never offered: its result is the sample itself.
 */
public interface PreviewTap {
    /** Whether the estimate after {@code stepsDone} of {@code stepsTotal} steps is wanted for any sample. */
    boolean wants(int stepsDone, int stepsTotal);

    /**
     * @param samples the original sample index of each row of {@code x0}
     * @param x0      [rows, C, height, width] flattened, in [-1, 1]
     */
    void take(int stepsDone, int stepsTotal, int[] samples, float[] x0, ImageSize size);

    PreviewTap NONE = new PreviewTap() {
        @Override
        public boolean wants(int stepsDone, int stepsTotal) {
            return false;
        }

        @Override
        public void take(int stepsDone, int stepsTotal, int[] samples, float[] x0, ImageSize size) {
        }
    };
}
