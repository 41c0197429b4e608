package dev.genq.worker.model;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.model.ModelPackages;
import dev.genq.storage.model.ModelPackages.LoadStatus;
import dev.genq.worker.WorkerSettings;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.job.JobLeases;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Model packages registered and unregistered at run time, without a restart: every {@code package-poll} this
 * worker says it is alive and reads the registrations; a new one is loaded and probed on this poller's own thread
 * (never a job's: jobs keep running meanwhile) and reported as loaded or refused, with why; an unregistered one
 * is unloaded once no queued or running job may still need it (drained). A restarted worker is a new worker: it
 * loads every registered package again.
 */
@ApplicationScoped
public class PackagePoller {
    private static final Logger LOG = Logger.getLogger(PackagePoller.class);
    private static final EnumSet<JobStatus> UNFINISHED = EnumSet.of(JobStatus.QUEUED, JobStatus.RUNNING);

    private final ModelRegistry registry;
    private final JobLeases leases;
    private final WorkerSettings settings;
    /** Package id -> name@version served here; packages tried here and refused map to "". */
    private final Map<UUID, String> handled = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService poller;
    /** Loads one package at a time, apart from the poller, so heartbeats go on while a large package loads. */
    private volatile java.util.concurrent.ExecutorService loader;
    /** The catch-up poll queued and not begun yet, which new callers of {@link #caughtUp} share; null if none. */
    private CompletableFuture<Void> nextCatchUp;

    public PackagePoller(ModelRegistry registry, JobLeases leases, WorkerSettings settings) {
        this.registry = registry;
        this.leases = leases;
        this.settings = settings;
    }

    void start(@Observes @Priority(20) StartupEvent ignored) { // after the registry loaded the configured packages
        loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "genq-package-loader");
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService polls = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "genq-package-poller");
            t.setDaemon(true);
            return t;
        });
        long every = settings.packagePoll().toMillis();
        polls.scheduleWithFixedDelay(this::pollSafely, 0, every, TimeUnit.MILLISECONDS);
        poller = polls; // published last: caughtUp() uses both
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        if (poller != null) {
            poller.shutdownNow();
            loader.shutdownNow();
            poller.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Completes once a poll from now has run and every load it or an earlier poll started has ended, loaded or
     * refused (the loader runs one package at a time, in order): what a job whose version is not loaded here waits
     * for. Callers while that poll has not begun share it (the jobs of a starting worker ask at once: one poll, not
     * one each). Completes at once if this poller is not running.
     */
    public synchronized CompletableFuture<Void> caughtUp() {
        ScheduledExecutorService polls = poller;
        if (polls == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (nextCatchUp != null) {
            return nextCatchUp;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            polls.execute(() -> {
                synchronized (this) {
                    nextCatchUp = null; // a caller from now on needs a poll after this one
                }
                pollSafely();
                try {
                    loader.execute(() -> done.complete(null));
                } catch (RejectedExecutionException e) { // shutting down
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) { // shutting down
            return CompletableFuture.completedFuture(null);
        }
        nextCatchUp = done;
        return done;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) { // Postgres away: the next poll tries again; the heartbeat goes stale meanwhile
            LOG.debugf("package poll failed: %s", e.getMessage());
        }
    }

    /** One poll: heartbeat, then each registration this worker has not acted on. Package-visible for tests. */
    void poll() {
        String me = leases.owner();
        List<ModelPackages.Package> packages = QuarkusTransaction.requiringNew().call(() -> {
            ModelPackages.heartbeat(me);
            return ModelPackages.all();
        });
        for (ModelPackages.Package p : packages) {
            String served = handled.get(p.id());
            if (!p.unregistered() && served == null) {
                handled.put(p.id(), "");
                loader.execute(() -> load(p, me));
            } else if (p.unregistered() && served != null && !served.isEmpty()) {
                drain(p, served, me);
            }
        }
    }

    private void load(ModelPackages.Package p, String me) {
        report(p.id(), me, LoadStatus.LOADING, null, null);
        long t0 = System.nanoTime();
        LoadedModel model;
        try {
            model = registry.loadRegistered(p.source());
        } catch (RuntimeException | LinkageError e) {
            LOG.errorf("registered package %s is not served: %s", p.id(), e.getMessage());
            report(p.id(), me, LoadStatus.REFUSED, null, e.getMessage());
            return;
        }
        String nameAtVersion = model.spec().nameAtVersion();
        try {
            registry.add(model, p.id());
        } catch (RuntimeException e) {
            model.close();
            report(p.id(), me, LoadStatus.REFUSED, nameAtVersion, e.getMessage());
            return;
        }
        handled.put(p.id(), nameAtVersion);
        report(p.id(), me, LoadStatus.LOADED, nameAtVersion, String.format("loaded and probed in %.2f s",
                (System.nanoTime() - t0) / 1e9));
    }

    /** Unloads an unregistered version once no unfinished job of its model is pinned to it or unpinned. */
    private void drain(ModelPackages.Package p, String nameAtVersion, String me) {
        int at = nameAtVersion.lastIndexOf('@');
        String name = nameAtVersion.substring(0, at);
        String version = nameAtVersion.substring(at + 1);
        long waiting = QuarkusTransaction.requiringNew().call(() -> Job.count(
                "model = ?1 and (pinnedVersion = ?2 or pinnedVersion is null) and status in ?3", name, version, UNFINISHED));
        if (waiting > 0) {
            return; // the next poll looks again
        }
        registry.unload(nameAtVersion);
        handled.put(p.id(), "");
        report(p.id(), me, LoadStatus.UNLOADED, nameAtVersion, "unregistered; no unfinished job needed it");
    }

    private static void report(UUID id, String me, LoadStatus status, String model, String detail) {
        QuarkusTransaction.requiringNew().run(() -> ModelPackages.report(id, me, status, model, detail));
    }
}
