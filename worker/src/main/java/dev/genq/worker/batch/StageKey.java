package dev.genq.worker.batch;

import dev.genq.storage.job.Stage;

/** Samples with equal keys can share one forward pass: same model, stage, resolution, steps and sampler. */
public record StageKey(String model, Stage stage, int resolution, int steps, String sampler) {
}
