package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;

/**
 * A diffusion sampler in the shape of diffusers' schedulers: told the number of steps once
 * ({@link #setTimesteps}), then advanced one model output at a time ({@link #step}). The denoising loop
 * (batching, guidance, cancellation, progress) is written once and works with any sampler.
 *
 * <p>Instances keep per-run state (multistep solvers remember earlier outputs): one per run.
 */
public interface Sampler {

    /** @return the model timesteps to visit, noisiest first, over the whole schedule */
    default int[] setTimesteps(int steps) {
        return setTimesteps(steps, Integer.MAX_VALUE);
    }

    /**
     * @param limit visit only timesteps below this one (a stage that starts from a partly noised image,
     *              see {@link dev.genq.worker.engine.NoiseSchedule#spacedTimesteps(int, int)})
     * @return the model timesteps to visit, noisiest first
     */
    int[] setTimesteps(int steps, int limit);

    /**
     * One step from the sample {@code x} at step index {@code i} to the next, less noisy sample.
     *
     * @param epsilon the model's noise prediction for {@code x} (after guidance)
     * @param noise   fresh per-sample Gaussian noise, drawn only by stochastic samplers
     */
    NDArray step(NDArray epsilon, int i, NDArray x, StepNoise noise);

    /**
     * Whether step {@code i} may be taken again from another {@code x} after it was taken (RePaint's resampling
     * jumps): true for samplers whose step depends on nothing but its arguments; a multistep solver, which
     * remembers the outputs of the steps before, says false.
     */
    default boolean restartable() {
        return true;
    }

    /** Keeps only these rows of any per-sample state (samples dropped from the batch mid-run). */
    default void retainRows(int[] rows) {
    }
}
