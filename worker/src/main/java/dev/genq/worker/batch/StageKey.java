package dev.genq.worker.batch;

/** Samples with equal keys can share one forward pass: same model, stage, resolution, steps and sampler. */
public record StageKey(String model, Stage stage, int resolution, int steps, String sampler, double eta) {

    public enum Stage { BASE, SUPER_RESOLUTION }
}
