package dev.genq.gateway.metrics;

import dev.genq.gateway.watch.HeldOpen;
import dev.genq.storage.job.JobMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every meter the gateway writes, by name, in one place (the names are those in
 * deploy/observability/metrics-used.txt); call sites ask for a meter here instead of spelling its name.
 * The counters are registered at zero when the gateway starts, so that dashboards and alerts see every
 * series from the first scrape (a counter that appears only at its first increment makes rate() and
 * absence alerts lie); each gauge is registered by the bean whose state it reads, through a method here.
 * Depends on the registry only, so any bean can take it without a construction cycle.
 */
@ApplicationScoped
public class GatewayMeters {
    private static final String UPSCALE = "upscale";
    private static final String[] WEBHOOK_OUTCOMES = {"success", "http_4xx", "http_5xx", "error"};
    private static final String[] CANARY_DECISIONS = {"roll_back", "promote"};

    private final MeterRegistry registry;

    /** In CDI and outside it (unit tests). */
    @Inject
    public GatewayMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void registerAtZero(@Observes StartupEvent ignored) {
        for (JobMode mode : JobMode.values()) {
            jobsSubmitted(mode);
        }
        upscalesSubmitted();
        jobsCanceled();
        jobsRequeued();
        jobsReannounced();
        jobsWorkerLost();
        jobsDeadlineExceeded();
        for (String outcome : WEBHOOK_OUTCOMES) {
            webhookAttempts(outcome);
        }
        waitsRefused();
        cacheHits();
        for (String decision : CANARY_DECISIONS) {
            canaryDecisions(decision);
        }
        for (dev.genq.storage.job.Priority p : dev.genq.storage.job.Priority.values()) {
            jobsDispatched(p);
        }
    }

    /** Automatic canary decisions written ({@code roll_back}, {@code promote}; README: Model rollout). */
    public Counter canaryDecisions(String decision) {
        return registry.counter("genq.canary.decisions", "decision", decision);
    }

    /** Submits answered from the exact result cache (no compute). */
    public Counter cacheHits() {
        return registry.counter("genq.cache.hits");
    }

    /** Dispatch passes that published at least one job, timed (with the jobs counter: the dispatcher's cost per job). */
    public io.micrometer.core.instrument.Timer dispatchPasses() {
        return registry.timer("genq.dispatch.pass");
    }

    /** Jobs the fair dispatcher published, by lane. */
    public Counter jobsDispatched(dev.genq.storage.job.Priority priority) {
        return registry.counter("genq.jobs.dispatched", "priority", priority.wire());
    }

    /** Jobs accepted, by mode. */
    public Counter jobsSubmitted(JobMode mode) {
        return submitted(mode.wire());
    }

    /** Upscale jobs accepted (counted as {@code genq.jobs.submitted} with mode upscale). */
    public Counter upscalesSubmitted() {
        return submitted(UPSCALE);
    }

    private Counter submitted(String mode) {
        return registry.counter("genq.jobs.submitted", "mode", mode);
    }

    public Counter jobsCanceled() {
        return registry.counter("genq.jobs.canceled");
    }

    /** Running jobs whose worker's lease ran out, queued again. */
    public Counter jobsRequeued() {
        return registry.counter("genq.jobs.requeued");
    }

    /** Moderating jobs whose pending samples were announced to moderation again. */
    public Counter jobsReannounced() {
        return registry.counter("genq.jobs.reannounced");
    }

    /** Jobs failed because their worker vanished too many times. */
    public Counter jobsWorkerLost() {
        return registry.counter("genq.jobs.worker_lost");
    }

    /** Queued jobs failed because they waited past the queue deadline. */
    public Counter jobsDeadlineExceeded() {
        return registry.counter("genq.jobs.deadline_exceeded");
    }

    /**
     * One webhook attempt, by outcome: success, http_Nxx for an answer that is not a success (its status
     * class), error when there was no answer.
     */
    public Counter webhookAttempt(boolean succeeded, Integer status) {
        return webhookAttempts(succeeded ? "success" : status != null ? "http_" + status / 100 + "xx" : "error");
    }

    private Counter webhookAttempts(String outcome) {
        return registry.counter("genq.webhooks.attempts", "outcome", outcome);
    }

    /** {@code Prefer: wait} requests answered at once because a cap was reached. */
    public Counter waitsRefused() {
        return registry.counter("genq.api.waits.refused");
    }

    /** The number of jobs this gateway reads for open waits and event streams: the size of {@code watchers}. */
    public Gauge watchedJobs(Map<?, ?> watchers) {
        return Gauge.builder("genq.api.watched.jobs", watchers, Map::size)
                .description("jobs this gateway reads for open waits and event streams").register(registry);
    }

    /** {@code Prefer: wait} requests held: {@code held}'s total. */
    public Gauge waitsOpen(HeldOpen held) {
        return Gauge.builder("genq.api.waits.open", held, HeldOpen::total).description("Prefer: wait requests held")
                .register(registry);
    }

    /** Job event streams open: {@code held}'s total. */
    public Gauge streamsOpen(HeldOpen held) {
        return Gauge.builder("genq.api.streams.open", held, HeldOpen::total).description("job event streams open")
                .register(registry);
    }

    /** Jobs of {@code mode} waiting to start, read from {@code state} (held weakly, as every gauge's state is). */
    public <T> Gauge jobsQueued(String mode, T state, ToDoubleFunction<T> depth) {
        return Gauge.builder("genq.jobs.queued", state, depth).tag("mode", mode)
                .description("jobs waiting to start").register(registry);
    }

    /** How long, in seconds, the oldest queued job of {@code mode} has waited, read from {@code state}. */
    public <T> Gauge jobsQueuedOldestAge(String mode, T state, ToDoubleFunction<T> ageSeconds) {
        return Gauge.builder("genq.jobs.queued.oldest.age", state, ageSeconds).tag("mode", mode).baseUnit("seconds")
                .description("how long the oldest queued job has waited").register(registry);
    }
}
