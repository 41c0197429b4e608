package dev.genq.gateway.job;

import dev.genq.api.auth.Caller;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.watch.HeldOpen;
import dev.genq.gateway.watch.JobWatch;
import dev.genq.gateway.watch.WatchSettings;
import dev.genq.storage.job.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code Prefer: wait}: a stage that completes when a job settles for its client or the wait runs out. No
 * thread waits: the job is read by {@link JobWatch} with every other watched job. Waits are capped per key,
 * per tenant and per gateway; past a cap there is no wait and the client gets its 202 at once.
 */
@ApplicationScoped
public class JobWaiter {
    private final JobWatch watch;
    private final HeldOpen held;
    private final GatewayMeters meters;

    public JobWaiter(JobWatch watch, WatchSettings settings, GatewayMeters meters) {
        this.watch = watch;
        this.held = new HeldOpen(settings.waitsPerKey(), settings.waitsPerTenant(), settings.waitsPerGateway());
        this.meters = meters;
        meters.waitsOpen(held);
    }

    /** A job has settled for a waiting client when it is terminal, or waits for a human (who may take hours). */
    static boolean settled(JobStatus status) {
        return status.isTerminal() || status == JobStatus.NEEDS_REVIEW;
    }

    /** @return a stage that completes when the job settles or {@code wait} passes; empty when over a cap */
    public Optional<CompletionStage<Void>> untilSettled(Caller caller, UUID jobId, Duration wait) {
        Optional<HeldOpen.Hold> hold = held.tryHold(caller);
        if (hold.isEmpty()) {
            meters.waitsRefused().increment();
            return Optional.empty();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        JobWatch.Subscription subscription = watch.watch(jobId, job -> {
            if (settled(job.status())) {
                done.complete(null);
            }
        });
        done.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS);
        done.whenComplete((ignored, e) -> {
            subscription.close();
            hold.get().close();
        });
        return Optional.of(done);
    }
}
