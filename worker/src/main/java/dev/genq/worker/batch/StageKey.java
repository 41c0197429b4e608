package dev.genq.worker.batch;

import dev.genq.storage.job.Stage;

/**
 * Samples with equal keys can share one forward pass: same model, stage, resolution, steps and sampler, and
 * for variations the same strength (it decides the timesteps); {@code strength} is null for every other sample.
 */
public record StageKey(String model, Stage stage, int resolution, int steps, String sampler, Double strength) {

    public StageKey(String model, Stage stage, int resolution, int steps, String sampler) {
        this(model, stage, resolution, steps, sampler, null);
    }
}
