package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;

/**
 * Samples with equal keys can share one forward pass: same model, stage, picture size, steps and sampler, and
 * for variations the same strength (it decides the timesteps); {@code strength} is null for every other sample.
 * {@code resamples} is a masked run's resampling jumps per step (0 otherwise): they change the path of every row
 * of a batch, so a masked sample never shares one with an unmasked sample.
 */
public record StageKey(String model, Stage stage, ImageSize size, int steps, String sampler, Double strength, int resamples) {

    public StageKey(String model, Stage stage, ImageSize size, int steps, String sampler) {
        this(model, stage, size, steps, sampler, null, 0);
    }

    public StageKey(String model, Stage stage, ImageSize size, int steps, String sampler, Double strength) {
        this(model, stage, size, steps, sampler, strength, 0);
    }
}
