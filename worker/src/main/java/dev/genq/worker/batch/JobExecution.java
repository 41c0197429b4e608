package dev.genq.worker.batch;

import dev.genq.storage.job.Stage;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.storage.inference.Tokenizer;
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
    private final LoadedModel base;
    private final LoadedModel superResolution; // null for preview jobs
    private final boolean promptTruncated;
    private final SampleResult[] baseResults;
    private final SampleResult[] srResults;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private final StageKey baseKey;
    private final StageKey srKey;
    private final long totalSampleSteps;
    private final DiffusionEngine.TextSample[] textInputs;
    private final float[] parentImage; // upscale jobs: the preview sample to sharpen; no base stage
    private int pendingBase;
    private int pendingSr;
    private long sampleStepsDone;
    private int stepsDone;
    private volatile boolean stopped;
    private volatile Context trace = Context.root();

    public JobExecution(Job job, LoadedModel base, LoadedModel superResolution) {
        this(job, base, superResolution, null);
    }

    /** @param parentImage for an upscale job, the released preview sample (CHW in [-1, 1]) to sharpen */
    public JobExecution(Job job, LoadedModel base, LoadedModel superResolution, float[] parentImage) {
        this.job = job;
        this.parentImage = parentImage;
        this.base = base;
        this.superResolution = job.mode == JobMode.FULL ? superResolution : null;
        int n = job.numSamples;
        Tokenizer tokenizer = base.tokenizer();
        Tokenizer.Tokens prompt = tokenizer.encode(job.prompt);
        long[] negative = tokenizer.encode(job.negativePrompt).ids();
        this.promptTruncated = prompt.truncated();
        this.textInputs = new DiffusionEngine.TextSample[n];
        for (int i = 0; i < n; i++) {
            textInputs[i] = new DiffusionEngine.TextSample(job.seed + i, prompt.ids(), negative, job.guidanceScale);
        }
        this.baseResults = new SampleResult[n];
        this.srResults = new SampleResult[n];
        this.pendingBase = parentImage == null ? n : 0;
        this.pendingSr = this.superResolution == null ? 0 : n;
        this.baseKey = new StageKey(base.spec().name(), Stage.BASE, base.spec().resolution(), job.steps, job.sampler);
        this.srKey = this.superResolution == null ? null : new StageKey(this.superResolution.spec().name(),
                Stage.SUPER_RESOLUTION, this.superResolution.spec().resolution(),
                this.superResolution.spec().defaultSteps(), this.superResolution.spec().defaultSampler());
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

    /** The model that runs this job's samples through {@code stage}; null for super-resolution of a preview. */
    public LoadedModel model(Stage stage) {
        return stage == Stage.BASE ? base : superResolution;
    }

    /** What {@code stage} produced for sample {@code index}: null if it never ran there. */
    public SampleResult result(Stage stage, int index) {
        return (stage == Stage.BASE ? baseResults : srResults)[index];
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
        return baseSteps() + (srKey == null ? 0 : srKey.steps());
    }

    private int baseSteps() {
        return parentImage == null ? job.steps : 0;
    }

    public String modelVersion() {
        if (parentImage != null) {
            return superResolution.spec().nameAtVersion();
        }
        return base.spec().nameAtVersion() + (superResolution == null ? "" : "+" + superResolution.spec().nameAtVersion());
    }

    /** The first stage's samples: base, or for an upscale job super-resolution of the parent sample. */
    List<SampleTask> initialTasks() {
        List<SampleTask> tasks = new ArrayList<>(textInputs.length);
        for (int i = 0; i < textInputs.length; i++) {
            tasks.add(parentImage == null ? new SampleTask(this, i, baseKey, textInputs[i])
                    : new SampleTask(this, i, srKey, new DiffusionEngine.UpscaleSample(job.seed + i, parentImage)));
        }
        return tasks;
    }

    /** After a batch step: this job's samples in the batch advanced. */
    void advanced(Stage stage, int stageStepsDone, int samples) {
        sampleStepsDone += samples;
        int offset = stage == Stage.BASE ? 0 : baseSteps();
        stepsDone = Math.max(stepsDone, offset + stageStepsDone);
    }

    int stepsDone() {
        return stepsDone;
    }

    double progress() {
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
        Next next = Next.WAIT;
        if (stage == Stage.BASE) {
            baseResults[index] = result;
            pendingBase--;
            if (!stopped && result.completed() && srKey != null) {
                next = new Next.Queue(new SampleTask(this, index, srKey,
                        new DiffusionEngine.UpscaleSample(job.seed + index, result.image())));
            } else if (srKey != null) {
                pendingSr--; // never upscaled
            }
        } else {
            srResults[index] = result;
            pendingSr--;
        }
        if (pendingBase == 0 && pendingSr == 0) {
            return stopped ? new Next.SettleStopped(this) : new Next.Finish(this);
        }
        return next;
    }

    /** The final image of a sample: its super-resolution output for full jobs, else its base output. */
    public float[] finalImage(int index) {
        return superResolution == null ? baseResults[index].image() : srResults[index].image();
    }

    public int finalResolution() {
        return superResolution == null ? base.spec().resolution() : superResolution.spec().resolution();
    }
}
