/**
 * Micro-batching across jobs. A job's samples enter {@link dev.genq.worker.batch.MicroBatcher} as
 * {@link dev.genq.worker.batch.SampleTask}s; for each batch:
 * <ol>
 *   <li>{@link dev.genq.worker.batch.BatchQueue} picks it: the oldest sample's {@link dev.genq.worker.batch.StageKey}
 *       decides, up to {@code max-samples}, waiting at most {@code max-wait};</li>
 *   <li>the engine runs the stage, calling {@link dev.genq.worker.batch.BatchStepListener} after every step
 *       (progress, cancellation: a stopped job's rows leave before the next step);</li>
 *   <li>{@link dev.genq.worker.batch.NumericGuard} fails jobs whose samples came out non-finite;</li>
 *   <li>each sample's result goes to its {@link dev.genq.worker.batch.JobExecution}, whose {@code sampleDone}
 *       answers what comes next: queue it for the next stage, finish the job, settle a stopped one, or wait.</li>
 * </ol>
 * Finishing and settling are {@link dev.genq.worker.batch.JobOutcomes}, implemented by the job package.
 */
package dev.genq.worker.batch;
