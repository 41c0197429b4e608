package dev.genq.worker.metrics;

import dev.genq.storage.job.Stage;
import dev.genq.worker.WorkerSettings;
import dev.genq.worker.engine.NonFiniteOutputException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Every meter the worker writes, by name, in one place (the names are those in
 * deploy/observability/metrics-used.txt). They are registered at zero when the worker starts, so
 * dashboards and alerts see every series from the first scrape.
 */
@ApplicationScoped
public class WorkerMeters {
    private final MeterRegistry registry;
    private final String deviceClass;

    @Inject
    public WorkerMeters(MeterRegistry registry, WorkerSettings settings) {
        this(registry, settings.deviceClass());
    }

    /** Outside CDI (unit tests, benchmarks). */
    public WorkerMeters(MeterRegistry registry, String deviceClass) {
        this.registry = registry;
        this.deviceClass = deviceClass;
    }

    void registerAtZero(@Observes StartupEvent ignored) {
        for (Stage stage : Stage.values()) {
            costUsd(stage);
            computeSeconds(stage);
            inference(stage);
            batchSamples(stage);
        }
        samplesGenerated();
        for (String code : new String[] {"worker_error", "object_store_unavailable", "model_unavailable", "deadline_exceeded",
                NonFiniteOutputException.CODE}) {
            jobsFailed(code);
        }
        queueWait();
        finishWait();
        storeDuration();
        messageAge();
        previews("sent");
        previews("dropped");
    }

    /** What the cost rows charge, by stage. */
    public Counter costUsd(Stage stage) {
        return registry.counter("genq.cost.usd", "stage", stage.wire(), "device_class", deviceClass);
    }

    public Counter computeSeconds(Stage stage) {
        return registry.counter("genq.compute.seconds", "stage", stage.wire(), "device_class", deviceClass);
    }

    /** Wall time of one batch's stage. */
    public Timer inference(Stage stage) {
        return registry.timer("genq.inference", "stage", stage.wire());
    }

    /** Samples per batch. */
    public DistributionSummary batchSamples(Stage stage) {
        return registry.summary("genq.batch.samples", "stage", stage.wire());
    }

    public Counter samplesGenerated() {
        return registry.counter("genq.samples.generated");
    }

    /** Jobs this worker failed, by stable code. */
    public Counter jobsFailed(String code) {
        return registry.counter("genq.jobs.failed", "code", code);
    }

    /** From submit to the start of the first attempt. */
    public Timer queueWait() {
        return registry.timer("genq.queue.wait");
    }

    /** A finished job waiting for a finisher thread. */
    public Timer finishWait() {
        return registry.timer("genq.worker.finish.wait");
    }

    /** Storing a job's PNGs, rows and announcements. */
    public Timer storeDuration() {
        return registry.timer("genq.worker.store.duration");
    }

    /** From a job message's publication to its consumption here. */
    public Timer messageAge() {
        return registry.timer("genq.worker.message.age");
    }

    /** Samples whose output had NaN or infinite values, by model version. */
    public Counter nonFiniteSamples(String model) {
        return registry.counter("genq.engine.nonfinite.samples", "model", model);
    }

    /** Live previews by outcome: sent to moderation, or dropped (queue full, broker slow, send failed). */
    public Counter previews(String outcome) {
        return registry.counter("genq.worker.previews", "outcome", outcome);
    }
}
