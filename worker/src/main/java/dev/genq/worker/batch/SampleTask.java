package dev.genq.worker.batch;

import dev.genq.worker.engine.DiffusionEngine;

/** One sample of one job waiting for one stage; {@code input} is a TextSample or an UpscaleSample. */
record SampleTask(JobExecution job, int index, StageKey key, Object input) {

    DiffusionEngine.TextSample text() {
        return (DiffusionEngine.TextSample) input;
    }

    DiffusionEngine.UpscaleSample upscale() {
        return (DiffusionEngine.UpscaleSample) input;
    }
}
