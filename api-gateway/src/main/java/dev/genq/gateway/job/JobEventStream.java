package dev.genq.gateway.job;

import dev.genq.storage.job.Job;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A job's status and progress as a stream: one event now, one whenever either changes, the last one at a
 * terminal state, after which the stream ends. It reads Postgres every {@code poll-interval}; a stream
 * lasts at most {@code max-duration}, after which the client reconnects. (A Kafka job-events feed will
 * replace the polling when webhooks need it too.)
 */
@ApplicationScoped
public class JobEventStream {

    @ConfigMapping(prefix = "genq.api.events")
    public interface Settings {
        @WithDefault("PT0.25S")
        Duration pollInterval();

        @WithDefault("PT30M")
        Duration maxDuration();
    }

    /** What a client sees on the stream. */
    public record JobEvent(UUID id, String status, double progress) {
        boolean terminal() {
            return dev.genq.storage.job.JobStatus.fromWire(status).isTerminal();
        }
    }

    private final JobService jobs;
    private final Settings settings;

    public JobEventStream(JobService jobs, Settings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    public Multi<JobEvent> of(UUID tenantId, Job job) {
        JobEvent first = event(job);
        return Multi.createFrom().emitter(emitter -> {
            emitter.emit(first);
            if (first.terminal()) {
                emitter.complete();
                return;
            }
            long deadline = System.nanoTime() + settings.maxDuration().toNanos();
            AtomicReference<JobEvent> last = new AtomicReference<>(first);
            AtomicReference<ScheduledFuture<?>> poll = new AtomicReference<>();
            long every = settings.pollInterval().toMillis();
            ScheduledExecutorService pool = Infrastructure.getDefaultWorkerPool();
            poll.set(pool.scheduleWithFixedDelay(() -> {
                try {
                    JobEvent now = event(jobs.get(tenantId, job.id.toString()));
                    if (!now.equals(last.getAndSet(now))) {
                        emitter.emit(now);
                    }
                    if (now.terminal() || System.nanoTime() > deadline) {
                        emitter.complete();
                    }
                } catch (RuntimeException e) {
                    emitter.fail(e);
                }
            }, every, every, TimeUnit.MILLISECONDS));
            emitter.onTermination(() -> poll.get().cancel(false));
        });
    }

    private static JobEvent event(Job job) {
        return new JobEvent(job.id, job.status.wire(), job.progress);
    }
}
