/**
 * A job message's life in the worker:
 * <ol>
 *   <li>{@link dev.genq.worker.job.JobConsumer} polls Kafka (pausing at {@code max-jobs-in-flight}) and
 *       retries failed attempts with backoff;</li>
 *   <li>{@link dev.genq.worker.job.JobRunner} lets the job row decide (skip, fail, or run), takes the lease
 *       ({@link dev.genq.worker.job.JobLeases}) and hands a {@code JobExecution} to the batcher;</li>
 *   <li>{@link dev.genq.worker.job.JobFinisher} encodes, stores, bills ({@link dev.genq.worker.job.CostMeter})
 *       and writes the samples.generated outbox rows in one transaction, or bills a canceled run's steps;</li>
 *   <li>the consumer commits the offset once the run is done, in partition order
 *       ({@link dev.genq.worker.job.OffsetTracker}).</li>
 * </ol>
 */
package dev.genq.worker.job;
