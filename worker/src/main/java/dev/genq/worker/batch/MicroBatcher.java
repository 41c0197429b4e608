package dev.genq.worker.batch;

import dev.genq.storage.job.Stage;
import dev.genq.worker.WorkerSettings;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.DiffusionEngine.StageResult;
import dev.genq.worker.metrics.WorkerMeters;
import dev.genq.worker.preview.PreviewPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.genq.worker.engine.DiffusionEngine.TextSample;
import dev.genq.worker.engine.DiffusionEngine.UpscaleSample;
import dev.genq.worker.engine.DiffusionEngine.VariationSample;
import dev.genq.worker.engine.Strength;
import dev.genq.worker.engine.LoadedModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private static final Duration IDLE_POLL = Duration.ofMillis(500);

    private final BatchSettings settings;
    private final DiffusionEngine engine;
    private final BatchProgress progress;
    private final PreviewPublisher previews;
    private final JobOutcomes outcomes;
    private final NumericGuard numericGuard;
    private final WorkerMeters meters;
    private final BatchQueue<SampleTask> queue;
    private volatile boolean running;
    private Thread thread;

    public MicroBatcher(BatchSettings settings, WorkerSettings worker, BatchProgress progress, JobOutcomes outcomes,
                        NumericGuard numericGuard, WorkerMeters meters, PreviewPublisher previews) {
        this.settings = settings;
        this.previews = previews;
        this.engine = new DiffusionEngine(worker.forwardRows(), worker.srForwardRows());
        this.progress = progress;
        this.outcomes = outcomes;
        this.numericGuard = numericGuard;
        this.meters = meters;
        this.queue = new BatchQueue<>(SampleTask::key, t -> t.job().job().priority != dev.genq.storage.job.Priority.BULK,
                t -> t.job().job().tenantId, settings.maxSamples(), settings.maxWait());
    }

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::loop, "genq-batcher");
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) throws InterruptedException {
        running = false;
        queue.close();
        if (thread != null) {
            thread.join(30_000);
        }
    }

    /** Queues a job's first-stage samples. */
    public void submit(JobExecution job) {
        queue.add(job.initialTasks());
    }

    private void loop() {
        while (running) {
            try {
                List<SampleTask> batch = queue.next(IDLE_POLL);
                if (!batch.isEmpty()) {
                    run(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One batch, in order: 1. samples of stopped jobs leave without running; 2. the stage runs on the
     * engine, stepped through {@link BatchStepListener}; 3. jobs with non-finite samples fail; 4. each
     * sample's result goes to its job, which says what comes next.
     */
    private void run(List<SampleTask> candidates) {
        List<SampleTask> tasks = new ArrayList<>();
        for (SampleTask t : candidates) {
            if (t.job().stopped()) {
                next(t.job().sampleDone(t.key().stage(), t.index(), new SampleResult(null, 0, 0)));
            } else {
                tasks.add(t);
            }
        }
        if (tasks.isEmpty()) {
            return;
        }
        StageKey key = tasks.get(0).key();
        BatchStepListener listener = new BatchStepListener(tasks, progress, settings.progressInterval(),
                new BatchPreviews(tasks, previews));
        StageResult result;
        try {
            result = runStage(key, tasks, listener);
        } catch (RuntimeException e) {
            LOG.errorf(e, "batch of %d samples (%s) failed", tasks.size(), key);
            for (JobExecution j : listener.jobs()) {
                j.fail(e);
            }
            return;
        }
        meters.inference(key.stage()).record((long) (result.seconds() * 1e9), TimeUnit.NANOSECONDS);
        meters.batchSamples(key.stage()).record(tasks.size());
        java.util.Set<JobExecution> failed = numericGuard.failBroken(tasks, result, tasks.get(0).job().model(key.stage()).spec().nameAtVersion());
        for (int i = 0; i < tasks.size(); i++) {
            SampleTask t = tasks.get(i);
            if (!failed.contains(t.job())) {
                next(t.job().sampleDone(key.stage(), t.index(), result.samples().get(i)));
            }
        }
    }

    private StageResult runStage(StageKey key, List<SampleTask> tasks, BatchStepListener listener) {
        DiffusionEngine.Sampling sampling = DiffusionEngine.Sampling.deterministic(key.sampler(), key.steps())
                .withResamples(key.resamples());
        LoadedModel model = tasks.get(0).job().model(key.stage());
        return switch (key.stage()) {
            case BASE -> key.strength() != null
                    ? engine.vary(model, tasks.stream().map(t -> (VariationSample) t.input()).toList(), sampling,
                            new Strength(key.strength()), listener)
                    : engine.textToImage(model, tasks.stream().map(t -> (TextSample) t.input()).toList(), key.size(),
                            sampling, listener);
            case SUPER_RESOLUTION -> engine.upscale(model, tasks.stream().map(t -> (UpscaleSample) t.input()).toList(),
                    key.size(), sampling, listener);
        };
    }

    /** Acts on what a job said comes after one of its samples finished a stage. */
    private void next(JobExecution.Next next) {
        if (next instanceof JobExecution.Next.Queue q) {
            queue.add(List.of(q.task()));
        } else if (next instanceof JobExecution.Next.Finish f) {
            outcomes.finish(f.job());
        } else if (next instanceof JobExecution.Next.SettleStopped s) {
            outcomes.settleStopped(s.job());
        } // Wait: other samples of the job are still on their way
    }
}
