package dev.genq.gateway.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the dispatcher feeds Kafka from the fair queue in Postgres (README: Scheduling). */
@ConfigMapping(prefix = "genq.dispatch")
public interface DispatchSettings {
    /**
     * Jobs of one mode published and not yet through the pipeline (queued in Kafka, running, or in moderation), at
     * most: enough to keep the workers busy, and small enough that a job dispatched now is done soon (past this depth a
     * job waits in Postgres, where fair queuing decides its turn, instead of in a first-come stage). 0: measured, the
     * workers in {@code worker-group} times {@code jobs-per-worker} ({@link WorkerCapacity}).
     */
    @WithDefault("0")
    int depth();

    /**
     * The depth each worker adds: what a worker takes in flight ({@code genq.worker.batch.max-jobs-in-flight}, 16). The
     * depth counts a job until moderation settled it, so (Little's law) it must cover the slowest stage's throughput
     * times a job's time through the whole pipeline, or that stage idles.
     */
    @WithDefault("16")
    int jobsPerWorker();

    /** The workers' Kafka consumer group ({@code genq.worker.consumer-group}). */
    @WithDefault("genq-workers")
    String workerGroup();

    /** The share of the depth bulk work may never take, so an interactive job is dispatched at once. */
    @WithDefault("0.25")
    double interactiveReserve();

    /**
     * Bulk jobs in flight, at most, while interactive work is about (an interactive job of the mode was dispatched within
     * {@code interactive-window}): bulk yields, so a person waits behind at most this many bulk jobs in each stage of
     * the pipeline (worker, moderation) and shares the CPUs with little else. Back to the full bulk share afterwards.
     */
    @WithDefault("2")
    int bulkDepthBesideInteractive();

    @WithDefault("PT10S")
    Duration interactiveWindow();

    /** How often the dispatcher looks for free depth when nothing wakes it. */
    @WithDefault("PT0.2S")
    Duration pollInterval();

    /** The share of dispatches bulk work gets while interactive work waits too, so it is never starved. */
    @WithDefault("0.1")
    double bulkMinShare();

    /** While both lanes wait, every this-many-th dispatch is bulk (1 / bulk-min-share, rounded up). */
    default int bulkEvery() {
        return Math.max(1, (int) Math.ceil(1 / Math.max(1e-3, Math.min(1, bulkMinShare()))));
    }

    /** How far back the throughput behind a queued job's ETA is measured. */
    @WithDefault("PT5M")
    Duration etaWindow();
}
