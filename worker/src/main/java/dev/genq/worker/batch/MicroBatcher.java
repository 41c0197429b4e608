package dev.genq.worker.batch;

import dev.genq.worker.WorkerSettings;
import dev.genq.worker.engine.BatchListener;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.DiffusionEngine.StageResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Groups compatible samples from different jobs (same {@link StageKey}) into one batch, up to
 * {@code max-samples}, waiting at most {@code max-wait} after the oldest one arrived (Triton's
 * max_queue_delay), and runs the batch on the engine. A job's samples may be split across batches.
 * One thread: the model runs one batch at a time and uses every core for it.
 */
@ApplicationScoped
public class MicroBatcher {
    private static final Logger LOG = Logger.getLogger(MicroBatcher.class);

    private final BatchSettings settings;
    private final DiffusionEngine engine;
    private final BatchProgress progress;
    private final JobOutcomes outcomes;
    private final NumericGuard numericGuard;
    private final MeterRegistry metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final LinkedList<Queued> queue = new LinkedList<>();
    private volatile boolean running;
    private Thread thread;

    private record Queued(SampleTask task, long arrivedNanos) {
    }

    public MicroBatcher(BatchSettings settings, WorkerSettings worker, BatchProgress progress, JobOutcomes outcomes,
                        NumericGuard numericGuard, MeterRegistry metrics) {
        this.settings = settings;
        this.engine = new DiffusionEngine(worker.forwardRows(), worker.srForwardRows());
        this.progress = progress;
        this.outcomes = outcomes;
        this.numericGuard = numericGuard;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::loop, "genq-batcher");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            thread.join(30_000);
        }
    }

    /** Queues a job's first-stage samples. */
    public void submit(JobExecution job) {
        submit(job.initialTasks());
    }

    void submit(List<SampleTask> tasks) {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (SampleTask t : tasks) {
                queue.add(new Queued(t, now));
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            List<SampleTask> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
        }
    }

    /** Waits for work, then for company until the batch is full or the oldest sample waited max-wait. */
    private List<SampleTask> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (running && queue.isEmpty()) {
                arrived.await(500, TimeUnit.MILLISECONDS);
            }
            if (queue.isEmpty()) {
                return List.of();
            }
            Queued first = queue.getFirst();
            long deadline = first.arrivedNanos() + settings.maxWait().toNanos();
            while (running && count(first.task().key()) < settings.maxSamples()) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                arrived.awaitNanos(wait);
            }
            List<SampleTask> batch = new ArrayList<>();
            for (Iterator<Queued> it = queue.iterator(); it.hasNext() && batch.size() < settings.maxSamples(); ) {
                Queued q = it.next();
                if (q.task().key().equals(first.task().key())) {
                    batch.add(q.task());
                    it.remove();
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private int count(StageKey key) {
        int n = 0;
        for (Queued q : queue) {
            if (q.task().key().equals(key)) {
                n++;
            }
        }
        return n;
    }

    private void run(List<SampleTask> candidates) {
        List<SampleTask> tasks = new ArrayList<>();
        for (SampleTask t : candidates) {
            if (t.job().stopped()) {
                t.job().sampleDone(t.key().stage(), t.index(), new SampleResult(null, 0, 0), this, outcomes);
            } else {
                tasks.add(t);
            }
        }
        if (tasks.isEmpty()) {
            return;
        }
        StageKey key = tasks.get(0).key();
        List<JobExecution> jobs = new ArrayList<>(new LinkedHashSet<>(tasks.stream().map(SampleTask::job).toList()));
        boolean[] alive = new boolean[tasks.size()];
        java.util.Arrays.fill(alive, true);
        long[] lastWrite = {System.nanoTime()};
        long interval = settings.progressInterval().toNanos();
        BatchListener listener = (done, total) -> {
            for (JobExecution j : jobs) {
                int samples = 0;
                for (int i = 0; i < tasks.size(); i++) {
                    if (alive[i] && tasks.get(i).job() == j) {
                        samples++;
                    }
                }
                if (samples > 0) {
                    j.advanced(key.stage(), done, samples);
                }
            }
            boolean write = done == total || System.nanoTime() - lastWrite[0] >= interval;
            if (write) {
                lastWrite[0] = System.nanoTime();
            }
            boolean[] stillRunning = progress.record(jobs, write);
            for (int k = 0; k < jobs.size(); k++) {
                if (!stillRunning[k]) {
                    jobs.get(k).stop();
                }
            }
            for (int i = 0; i < tasks.size(); i++) {
                alive[i] = alive[i] && !tasks.get(i).job().stopped();
            }
            return alive;
        };
        StageResult result;
        try {
            DiffusionEngine.Sampling sampling = new DiffusionEngine.Sampling(key.sampler(), key.steps(), key.eta());
            if (key.stage() == StageKey.Stage.BASE) {
                result = engine.textToImage(tasks.get(0).job().base, tasks.stream().map(SampleTask::text).toList(),
                        sampling, listener);
            } else {
                result = engine.upscale(tasks.get(0).job().superResolution, tasks.stream().map(SampleTask::upscale).toList(),
                        sampling, listener);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "batch of %d samples (%s) failed", tasks.size(), key);
            for (JobExecution j : jobs) {
                j.stop();
                j.done.completeExceptionally(e);
            }
            return;
        }
        String stage = key.stage() == StageKey.Stage.BASE ? "base" : "super_resolution";
        metrics.timer("genq.inference", "stage", stage).record((long) (result.seconds() * 1e9), TimeUnit.NANOSECONDS);
        metrics.summary("genq.batch.samples", "stage", stage).record(tasks.size());
        String model = (key.stage() == StageKey.Stage.BASE ? tasks.get(0).job().base : tasks.get(0).job().superResolution)
                .spec().nameAtVersion();
        java.util.Set<JobExecution> failed = numericGuard.failBroken(tasks, result, model);
        for (int i = 0; i < tasks.size(); i++) {
            SampleTask t = tasks.get(i);
            if (!failed.contains(t.job())) {
                t.job().sampleDone(key.stage(), t.index(), result.samples().get(i), this, outcomes);
            }
        }
    }
}
