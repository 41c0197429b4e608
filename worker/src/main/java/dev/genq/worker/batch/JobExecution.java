package dev.genq.worker.batch;

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
    public enum Outcome { COMPLETED, SKIPPED, CANCELED, FAILED }

    public final Job job;
    public final LoadedModel base;
    public final LoadedModel superResolution; // null for preview jobs
    public final boolean promptTruncated;
    public final SampleResult[] baseResults;
    public final SampleResult[] srResults;
    public final CompletableFuture<Outcome> done = new CompletableFuture<>();

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
        this.baseKey = new StageKey(base.spec().name(), StageKey.Stage.BASE, base.spec().resolution(), job.steps,
                job.sampler, 0);
        this.srKey = this.superResolution == null ? null : new StageKey(this.superResolution.spec().name(),
                StageKey.Stage.SUPER_RESOLUTION, this.superResolution.spec().resolution(),
                this.superResolution.spec().defaultSteps(), this.superResolution.spec().defaultSampler(), 0);
        this.totalSampleSteps = (long) n * totalStepsPerSample();
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

    public StageKey superResolutionKey() {
        return srKey;
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

    /** After a batch step: this job's samples in the batch advanced; returns the job's steps done. */
    void advanced(StageKey.Stage stage, int stageStepsDone, int samples) {
        sampleStepsDone += samples;
        int offset = stage == StageKey.Stage.BASE ? 0 : baseSteps();
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

    /** A sample finished (or was dropped from) a stage; decides what comes next for the job. */
    void sampleDone(StageKey.Stage stage, int index, SampleResult result, MicroBatcher batcher, JobOutcomes outcomes) {
        if (stage == StageKey.Stage.BASE) {
            baseResults[index] = result;
            pendingBase--;
            if (!stopped && result.completed() && srKey != null) {
                batcher.submit(List.of(new SampleTask(this, index, srKey,
                        new DiffusionEngine.UpscaleSample(job.seed + index, result.image()))));
            } else if (srKey != null) {
                pendingSr--; // never upscaled
            }
        } else {
            srResults[index] = result;
            pendingSr--;
        }
        if (pendingBase == 0 && pendingSr == 0) {
            if (stopped) {
                outcomes.settleStopped(this);
            } else {
                outcomes.finish(this);
            }
        }
    }

    /** The final image of a sample: its super-resolution output for full jobs, else its base output. */
    public float[] finalImage(int index) {
        return superResolution == null ? baseResults[index].image() : srResults[index].image();
    }

    public int finalResolution() {
        return superResolution == null ? base.spec().resolution() : superResolution.spec().resolution();
    }
}
