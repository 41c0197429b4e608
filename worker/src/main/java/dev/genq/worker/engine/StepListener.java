package dev.genq.worker.engine;

/** Told after every denoising step; answering false stops the stage before the next step. */
@FunctionalInterface
public interface StepListener {
    boolean onStep(int stepsDone, int stepsTotal);

    StepListener NONE = (done, total) -> true;
}
