package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;
import dev.genq.worker.engine.DiffusionEngine.SampleInput;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.stage.LowResInput;

/** One stage of one job: the model, the key its samples batch under, and what each sample produced there. */
final class StageRun {
    final Stage stage;
    final LoadedModel model;
    final StageKey key;
    final SampleResult[] results;
    int pending;

    StageRun(Stage stage, LoadedModel model, ImageSize size, int steps, String sampler, int samples) {
        this(stage, model, size, steps, sampler, null, 0, samples);
    }

    /**
     * @param size      the pictures this stage makes
     * @param strength  a variation's (its steps are the ones it runs), else null
     * @param resamples a masked run's resampling jumps per step, else 0
     */
    StageRun(Stage stage, LoadedModel model, ImageSize size, int steps, String sampler, Double strength, int resamples,
             int samples) {
        this.stage = stage;
        this.model = model;
        this.key = new StageKey(model.spec().name(), stage, size, steps, sampler, strength, resamples);
        this.results = new SampleResult[samples];
        this.pending = samples;
    }

    /** This stage's input for a sample whose previous stage produced {@code image}. */
    SampleInput inputAfter(long seed, float[] image) {
        return switch (stage) {
            case SUPER_RESOLUTION -> LowResInput.sample(seed, image, key.size(), model.spec());
            case BASE -> throw new IllegalStateException("the base stage has no stage before it");
        };
    }
}
