package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.worker.engine.DiffusionEngine.SampleInput;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.Strength;
import dev.genq.worker.stage.PromptInput;
import dev.genq.worker.stage.SourceImageInput;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One run of one job through the batcher: its samples' inputs, what each stage produced and cost, and
 * the future the Kafka consumer waits on before it commits the job's offset. Stage callbacks come from
 * the batcher thread only.
 */
public final class JobExecution {

    /** What follows a sample's stage, as {@link #sampleDone} decides it; the batcher acts on it. */
    sealed interface Next {
        /** The sample goes on to its next stage. */
        record Queue(SampleTask task) implements Next {
        }

        /** Every sample of every stage is done: store and announce. */
        record Finish(JobExecution job) implements Next {
        }

        /** The job stopped (canceled) and its last sample has left: bill what ran, keep nothing. */
        record SettleStopped(JobExecution job) implements Next {
        }

        /** Other samples of the job are still on their way. */
        record Wait() implements Next {
        }

        Wait WAIT = new Wait();
    }

    private final Job job;
    private final List<StageRun> stages; // in order: base; base then super-resolution; or super-resolution alone
    private final List<SampleInput> firstInputs;
    private final boolean promptTruncated;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final long totalSampleSteps;
    private long sampleStepsDone;
    private int stepsDone;
    private volatile boolean stopped;
    private volatile Context trace = Context.root();

    public JobExecution(Job job, LoadedModel base, LoadedModel superResolution) {
        this(job, base, superResolution, null);
    }

    /** @param preview for an upscale job, the released preview sample (CHW in [-1, 1]) to sharpen; no base stage */
    public JobExecution(Job job, LoadedModel base, LoadedModel superResolution, float[] preview) {
        this(job, base, superResolution, preview, null, 0);
    }

    /**
     * A variation job: its base stage starts from {@code source}, at the job's strength, for its share of the steps.
     *
     * @param resamples where the source has a mask, the resampling jumps per step (RePaint); ignored otherwise
     */
    public static JobExecution variation(Job job, LoadedModel base, SourceImageInput source, int resamples) {
        return new JobExecution(job, base, null, null, source, resamples);
    }

    /**
     * An image-to-image job: like a variation, from an upload; a full job's samples then go through
     * super-resolution as a text-to-image job's do.
     */
    public static JobExecution imageToImage(Job job, LoadedModel base, LoadedModel superResolution, SourceImageInput source,
                                            int resamples) {
        return new JobExecution(job, base, superResolution, null, source, resamples);
    }

    private JobExecution(Job job, LoadedModel base, LoadedModel superResolution, float[] preview, SourceImageInput source,
                         int resamples) {
        this.job = job;
        int n = job.numSamples;
        PromptInput prompt = PromptInput.encode(base.tokenizer(), job.prompt, job.negativePrompt);
        this.promptTruncated = prompt.truncated();
        List<StageRun> plan = new ArrayList<>(2);
        ImageSize size = job.size(base.spec().resolution()); // the base picture's; an upscale's preview has it too
        if (source != null) {
            // a masked run batches only with masked runs of the same resampling: the jumps change every row's path
            plan.add(new StageRun(Stage.BASE, base, size, new Strength(job.strength).steps(job.steps), job.sampler,
                    job.strength, source.redo() == null ? 0 : resamples, n));
        } else if (preview == null) {
            plan.add(new StageRun(Stage.BASE, base, size, job.steps, job.sampler, n));
        }
        if (preview != null || job.mode == JobMode.FULL) {
            plan.add(new StageRun(Stage.SUPER_RESOLUTION, superResolution, size.times(superResolution.spec().upscaleFactor()),
                    superResolution.spec().defaultSteps(), superResolution.spec().defaultSampler(), n));
        }
        this.stages = List.copyOf(plan);
        this.firstInputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            firstInputs.add(source != null ? source.sample(prompt.sample(job.seed + i, job.guidanceScale))
                    : preview == null ? prompt.sample(job.seed + i, job.guidanceScale)
                    : stages.get(0).inputAfter(job.seed + i, preview));
        }
        this.totalSampleSteps = (long) n * totalStepsPerSample();
    }

    public Job job() {
        return job;
    }

    /** Completes when the job's result is durable, or the run ended otherwise (stopped, skipped); fails with the cause. */
    public CompletableFuture<Void> done() {
        return done;
    }

    public boolean promptTruncated() {
        return promptTruncated;
    }

    /** The stages this job's samples go through, in order. */
    public List<Stage> stages() {
        return stages.stream().map(s -> s.stage).toList();
    }

    /** The model that runs this job's samples through {@code stage}; null if the job has no such stage. */
    public LoadedModel model(Stage stage) {
        StageRun run = find(stage);
        return run == null ? null : run.model;
    }

    /** What {@code stage} produced for sample {@code index}: null if it never ran there. */
    public SampleResult result(Stage stage, int index) {
        StageRun run = find(stage);
        return run == null ? null : run.results[index];
    }

    private StageRun find(Stage stage) {
        for (StageRun run : stages) {
            if (run.stage == stage) {
                return run;
            }
        }
        return null;
    }

    /** Sets the trace this run belongs to (the span of the attempt that started it). */
    public void traced(Context context) {
        this.trace = context;
    }

    /** The trace this run belongs to: work done for it on other threads continues it. */
    public Context trace() {
        return trace;
    }

    public int totalStepsPerSample() {
        return stages.stream().mapToInt(s -> s.key.steps()).sum();
    }

    /** The versions of the models that made its samples, joined by '+' in stage order. */
    public String modelVersion() {
        return String.join("+", stages.stream().map(s -> s.model.spec().nameAtVersion()).toList());
    }

    /** The first stage's samples: base, or for an upscale job super-resolution of the parent sample. */
    List<SampleTask> initialTasks() {
        List<SampleTask> tasks = new ArrayList<>(firstInputs.size());
        for (int i = 0; i < firstInputs.size(); i++) {
            tasks.add(new SampleTask(this, i, stages.get(0).key, firstInputs.get(i)));
        }
        return tasks;
    }

    /** After a batch step: this job's samples in the batch advanced. */
    void advanced(Stage stage, int stageStepsDone, int samples) {
        sampleStepsDone += samples;
        int offset = 0;
        for (StageRun run : stages) {
            if (run.stage == stage) {
                break;
            }
            offset += run.key.steps();
        }
        stepsDone = Math.max(stepsDone, offset + stageStepsDone);
    }

    int stepsDone() {
        return stepsDone;
    }

    double progress() {
        if (totalSampleSteps == 0) {
            return 1.0; // a variation at strength 0 runs no step
        }
        return Math.min(1.0, (double) sampleStepsDone / totalSampleSteps);
    }

    boolean stopped() {
        return stopped;
    }

    /** Its remaining samples leave their batches and queued ones are skipped. */
    void stop() {
        stopped = true;
    }

    /** The run failed (a broken batch, a non-finite output): its samples stop and the consumer hears why. */
    void fail(Throwable cause) {
        stopped = true;
        done.completeExceptionally(cause);
    }

    /** Ends the run as the finisher decided, or with its failure. */
    public void complete(Throwable failure) {
        if (failure == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(failure);
        }
    }

    /** A sample finished (or was dropped from) a stage: @return what comes next for it and the job */
    Next sampleDone(Stage stage, int index, SampleResult result) {
        int at = stages.indexOf(find(stage));
        StageRun run = stages.get(at);
        run.results[index] = result;
        run.pending--;
        Next next = Next.WAIT;
        if (at + 1 < stages.size()) {
            StageRun following = stages.get(at + 1);
            if (!stopped && result.completed()) {
                next = new Next.Queue(new SampleTask(this, index, following.key,
                        following.inputAfter(job.seed + index, result.image())));
            } else {
                stages.subList(at + 1, stages.size()).forEach(later -> later.pending--); // never reaches them
            }
        }
        if (stages.stream().allMatch(s -> s.pending == 0)) {
            return stopped ? new Next.SettleStopped(this) : new Next.Finish(this);
        }
        return next;
    }

    /** The final image of a sample: what its last stage produced. */
    public float[] finalImage(int index) {
        return stages.get(stages.size() - 1).results[index].image();
    }

    /** The size of the final pictures: the base stage's, or for a full job the super-resolution factor times it. */
    public ImageSize finalSize() {
        return stages.get(stages.size() - 1).key.size();
    }
}
