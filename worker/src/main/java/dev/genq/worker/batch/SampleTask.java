package dev.genq.worker.batch;

import dev.genq.worker.engine.DiffusionEngine;

/** One sample of one job waiting for one stage, with what that stage takes as input. */
record SampleTask(JobExecution job, int index, StageKey key, DiffusionEngine.SampleInput input) {
}
