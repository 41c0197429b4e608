package dev.genq.gateway.job;

/**
 * Fired (as a CDI event) when the job-events feed shows jobs finished, failed, canceled or held for review: they no
 * longer take a place in the dispatch depth, so whoever dispatches can fill it now instead of at its next poll.
 */
public record JobsLeftPipeline() {
}
