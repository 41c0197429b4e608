package dev.genq.worker.metrics;

import dev.genq.storage.job.Stage;
import dev.genq.worker.engine.NonFiniteOutputException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Registers the worker's meters at zero when it starts, so dashboards and alerts see every series from
 * the first scrape. The names are those in deploy/observability/metrics-used.txt.
 */
@ApplicationScoped
public class WorkerMeters {
    void register(@Observes StartupEvent ignored, MeterRegistry metrics, dev.genq.worker.WorkerSettings settings) {
        for (Stage stage : Stage.values()) {
            metrics.counter("genq.cost.usd", "stage", stage.wire(), "device_class", settings.deviceClass());
            metrics.counter("genq.compute.seconds", "stage", stage.wire(), "device_class", settings.deviceClass());
        }
        metrics.counter("genq.samples.generated");
        for (String code : new String[] {"worker_error", "object_store_unavailable", "model_unavailable", "deadline_exceeded",
                NonFiniteOutputException.CODE}) {
            metrics.counter("genq.jobs.failed", "code", code);
        }
        metrics.timer("genq.queue.wait");
        for (Stage stage : Stage.values()) {
            metrics.timer("genq.inference", "stage", stage.wire());
            metrics.summary("genq.batch.samples", "stage", stage.wire());
        }
        metrics.timer("genq.worker.finish.wait");
        metrics.timer("genq.worker.store.duration");
    }
}
