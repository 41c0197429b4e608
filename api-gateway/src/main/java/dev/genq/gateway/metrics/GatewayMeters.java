package dev.genq.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Registers the gateway's counters at zero when it starts, so that dashboards and alerts see every
 * series from the first scrape (a counter that appears only at its first increment makes rate() and
 * absence alerts lie). The names are those in deploy/observability/metrics-used.txt.
 */
@ApplicationScoped
public class GatewayMeters {
    void register(@Observes StartupEvent ignored, MeterRegistry metrics) {
        for (String mode : new String[] {"preview", "full", "upscale"}) {
            metrics.counter("genq.jobs.submitted", "mode", mode);
        }
        metrics.counter("genq.jobs.canceled");
        metrics.counter("genq.jobs.requeued");
        metrics.counter("genq.jobs.reannounced");
        metrics.counter("genq.jobs.worker_lost");
        metrics.counter("genq.jobs.deadline_exceeded");
        for (String outcome : new String[] {"success", "http_4xx", "http_5xx", "error"}) {
            metrics.counter("genq.webhooks.attempts", "outcome", outcome);
        }
    }
}
