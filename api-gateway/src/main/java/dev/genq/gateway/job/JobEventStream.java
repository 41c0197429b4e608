package dev.genq.gateway.job;

import dev.genq.api.auth.Caller;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.watch.HeldOpen;
import dev.genq.gateway.watch.JobWatch;
import dev.genq.gateway.watch.WatchSettings;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A job's status and progress as a stream: one event now, one whenever either changes, the last one at a
 * terminal state, after which the stream ends. Every stream on a gateway is fed by {@link JobWatch}'s one
 * reader, so open streams cost the database nothing each; they are capped per key, per tenant and per
 * gateway, and last at most {@code stream-max-duration}, after which the client reconnects.
 */
@ApplicationScoped
public class JobEventStream {

    /** What a client sees on the stream. */
    public record JobEvent(UUID id, String status, double progress) {
        boolean terminal() {
            return JobStatus.fromWire(status).isTerminal();
        }
    }

    private static final JobWatch.Subscription ENDED = () -> { };

    private final JobWatch watch;
    private final WatchSettings settings;
    private final HeldOpen held;

    public JobEventStream(JobWatch watch, WatchSettings settings, GatewayMeters meters) {
        this.watch = watch;
        this.settings = settings;
        this.held = new HeldOpen(settings.streamsPerKey(), settings.streamsPerTenant(), settings.streamsPerGateway());
        meters.streamsOpen(held);
    }

    /**
     * The stream of the job {@code lookup} finds (its 404 passes through). The stream's place is taken before
     * the lookup: a client retrying refused streams in a loop costs the database nothing.
     *
     * @throws ProblemException 429 too_many_streams when the caller's key, tenant or this gateway is at its cap
     */
    public Multi<JobEvent> of(Caller caller, java.util.function.Supplier<Job> lookup) {
        HeldOpen.Hold hold = held.tryHold(caller).orElseThrow(() -> new ProblemException(
                Problem.of(429, "too_many_streams", "Too many streams",
                        "this key, its tenant or this gateway has as many event streams open as it may; close one first"),
                Map.of("Retry-After", "5")));
        Job job;
        try {
            job = lookup.get();
        } catch (RuntimeException e) {
            hold.close();
            throw e;
        }
        JobEvent first = new JobEvent(job.id, job.status.wire(), job.progress);
        if (first.terminal()) {
            hold.close();
            return Multi.createFrom().item(first);
        }
        return Multi.createFrom().<JobEvent>emitter(emitter -> {
            emitter.emit(first);
            AtomicReference<JobEvent> last = new AtomicReference<>(first);
            CompletableFuture<Void> timeUp = new CompletableFuture<>();
            timeUp.completeOnTimeout(null, settings.streamMaxDuration().toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(emitter::complete);
            AtomicReference<JobWatch.Subscription> subscription = new AtomicReference<>();
            emitter.onTermination(() -> {
                JobWatch.Subscription s = subscription.getAndSet(ENDED);
                if (s != null) {
                    s.close();
                }
                timeUp.cancel(false);
                hold.close();
            });
            JobWatch.Subscription watching = watch.watch(job.id, now -> {
                JobEvent event = new JobEvent(now.id(), now.status().wire(), now.progress());
                if (!event.equals(last.getAndSet(event))) {
                    emitter.emit(event);
                }
                if (event.terminal()) {
                    emitter.complete();
                }
            });
            if (!subscription.compareAndSet(null, watching)) {
                watching.close(); // the stream ended before the watch began
            }
        });
    }
}
