package dev.genq.worker.batch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Micro-batching across jobs, like Triton's dynamic batcher. */
@ConfigMapping(prefix = "genq.worker.batch")
public interface BatchSettings {
    /** Most samples in one batch. */
    @WithDefault("8")
    int maxSamples();

    /** How long the first sample of a batch waits for compatible company (max_queue_delay). */
    @WithDefault("PT0.02S")
    Duration maxWait();

    /** How often a batch writes its jobs' progress; cancellation is still checked at every step. */
    @WithDefault("PT0.25S")
    Duration progressInterval();

    /** Jobs in flight before the worker stops taking more from Kafka. */
    @WithDefault("16")
    int maxJobsInFlight();
}
