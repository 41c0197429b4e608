package dev.genq.gateway.job;

import dev.genq.api.auth.Caller;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.watch.HeldOpen;
import dev.genq.gateway.watch.JobWatch;
import dev.genq.gateway.watch.PreviewFeed;
import dev.genq.gateway.watch.WatchSettings;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.genq.storage.messaging.PreviewModerated;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A job's status and progress as a stream: one event now, one whenever either changes, the last one at a
 * terminal state, after which the stream ends; between them, for a job that asked, its moderated live
 * previews ({@link PreviewFeed}). Every stream on a gateway is fed by {@link JobWatch}'s one
 * reader, so open streams cost the database nothing each; they are capped per key, per tenant and per
 * gateway, and last at most {@code stream-max-duration}, after which the client reconnects.
 */
@ApplicationScoped
public class JobEventStream {

    /** What a client sees on the stream: an unnamed event ("message"), so a plain EventSource gets it. */
    public record JobEvent(UUID id, String status, double progress) {
        boolean terminal() {
            return JobStatus.fromWire(status).isTerminal();
        }
    }

    /**
     * A live preview (event name {@code preview}) of a job submitted with {@code preview_every}: {@code status}
     * is {@code released}, with the image as a data URL, or {@code withheld} (moderation flagged it), without.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PreviewEvent(UUID id, String stage, int sample, int step, int steps, String status, String image) {
        static PreviewEvent of(PreviewModerated p) {
            return new PreviewEvent(p.jobId(), p.stage(), p.sample(), p.step(), p.steps(),
                    p.released() ? "released" : "withheld", p.released() ? "data:image/png;base64," + p.png() : null);
        }
    }

    static final String PREVIEW = "preview";
    static final String QUEUE = "queue";

    /**
     * Where a queued job stands (event name {@code queue}), sent while it is queued whenever that changed: as on
     * {@code GET /v1/jobs/{id}}, {@code position} jobs start before it and {@code eta_seconds} until it starts.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueueEvent(UUID id, long position, Double etaSeconds, Boolean positionAtLeast) {
    }

    private final JobWatch watch;
    private final PreviewFeed previews;
    private final dev.genq.gateway.watch.QueueFeed queue;
    private final WatchSettings settings;
    private final HeldOpen held;

    public JobEventStream(JobWatch watch, PreviewFeed previews, WatchSettings settings, GatewayMeters meters,
                          dev.genq.gateway.watch.QueueFeed queue) {
        this.watch = watch;
        this.queue = queue;
        this.previews = previews;
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
    public Multi<OutboundSseEvent> of(Caller caller, java.util.function.Supplier<Job> lookup, Sse sse) {
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
            return Multi.createFrom().item(status(sse, first));
        }
        boolean withPreviews = job.previewEvery > 0;
        UUID tenantId = job.tenantId;
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            emitter.emit(status(sse, first));
            AtomicReference<JobEvent> last = new AtomicReference<>(first);
            CompletableFuture<Void> timeUp = new CompletableFuture<>();
            timeUp.completeOnTimeout(null, settings.streamMaxDuration().toMillis(), TimeUnit.MILLISECONDS)
                    .thenRun(emitter::complete);
            List<JobWatch.Subscription> subscriptions = new java.util.ArrayList<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                synchronized (subscriptions) {
                    ended.set(true);
                    subscriptions.forEach(JobWatch.Subscription::close);
                }
                timeUp.cancel(false);
                hold.close();
            });
            // previews first: one that moderation answers while the watch starts is not missed
            if (withPreviews) {
                keep(subscriptions, ended, previews.watch(job.id, tenantId,
                        p -> emitter.emit(sse.newEventBuilder().name(PREVIEW).data(PreviewEvent.class, PreviewEvent.of(p)).build())));
            }
            if (job.status == JobStatus.QUEUED) { // its standing while it waits (the feed only reports queued jobs)
                UUID jobId = job.id;
                keep(subscriptions, ended, queue.watch(jobId, q -> emitter.emit(sse.newEventBuilder().name(QUEUE)
                        .data(QueueEvent.class, new QueueEvent(jobId, q.position(), q.etaSeconds(), q.atLeast() ? true : null)).build())));
            }
            keep(subscriptions, ended, watch.watch(job.id, now -> {
                JobEvent event = new JobEvent(now.id(), now.status().wire(), now.progress());
                if (!event.equals(last.getAndSet(event))) {
                    emitter.emit(status(sse, event));
                }
                if (event.terminal()) {
                    emitter.complete();
                }
            }));
        });
    }

    /** Keeps a subscription for the stream's end, or closes it at once if the stream already ended. */
    private static void keep(List<JobWatch.Subscription> subscriptions, AtomicBoolean ended, JobWatch.Subscription s) {
        synchronized (subscriptions) {
            if (!ended.get()) {
                subscriptions.add(s);
                return;
            }
        }
        s.close();
    }

    /** No media type on the event: the resource's stream element type (JSON) applies, and no non-standard field is written. */
    private static OutboundSseEvent status(Sse sse, JobEvent event) {
        return sse.newEventBuilder().data(JobEvent.class, event).build();
    }
}
