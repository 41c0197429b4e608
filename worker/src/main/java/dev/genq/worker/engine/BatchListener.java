package dev.genq.worker.engine;

/**
 * Told after every denoising step of a batch. Answers which samples go on (indexed like the samples
 * given to the engine), or null for all: a sample that stops is dropped from the batch before the next
 * step, while the others continue.
 */
@FunctionalInterface
public interface BatchListener {
    boolean[] onStep(int stepsDone, int stepsTotal);

    /** Where live previews of this batch go; none unless a listener says otherwise. */
    default PreviewTap previews() {
        return PreviewTap.NONE;
    }

    BatchListener ALL = (done, total) -> null;
}
