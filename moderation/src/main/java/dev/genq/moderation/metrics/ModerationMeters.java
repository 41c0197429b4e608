package dev.genq.moderation.metrics;

import dev.genq.api.policy.PolicySettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Registers moderation's meters at zero when it starts, one flagged counter per configured concept, so
 * dashboards and alerts (a flagged-rate jump after a model rollout) see every series from the first
 * scrape. The names are those in deploy/observability/metrics-used.txt.
 */
@ApplicationScoped
public class ModerationMeters {
    void register(@Observes StartupEvent ignored, MeterRegistry metrics, PolicySettings policy) {
        metrics.counter("genq.moderation.scored");
        policy.concepts().keySet().forEach(concept -> metrics.counter("genq.moderation.flagged", "concept", concept));
        metrics.counter("genq.samples.released");
        metrics.counter("genq.samples.quarantined");
        metrics.counter("genq.samples.failed_quality");
        metrics.counter("genq.samples.low_adherence");
        metrics.counter("genq.samples.parked");
        metrics.counter("genq.jobs.succeeded");
        metrics.counter("genq.jobs.needs_review");
        metrics.counter("genq.jobs.rejected");
        for (String decision : new String[] {"approve", "reject"}) {
            metrics.counter("genq.review.decisions", "decision", decision);
        }
        metrics.timer("genq.review.decision.latency");
    }
}
