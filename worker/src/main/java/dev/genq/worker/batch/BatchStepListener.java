package dev.genq.worker.batch;

import dev.genq.worker.engine.BatchListener;
import dev.genq.worker.engine.PreviewTap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What the batcher does between two denoising steps of one batch: counts each job's samples that
 * advanced, asks {@link BatchProgress} which jobs still run (writing their progress at most every
 * {@code progressInterval}, and after the last step), stops the ones that do not, and tells the engine
 * which rows go on. Rows are indexed like {@code tasks}.
 */
final class BatchStepListener implements BatchListener {
    private final List<SampleTask> tasks;
    private final List<JobExecution> jobs;
    private final BatchProgress progress;
    private final long intervalNanos;
    private final boolean[] alive;
    private final PreviewTap previews;
    private long lastWrite = System.nanoTime();

    BatchStepListener(List<SampleTask> tasks, BatchProgress progress, Duration progressInterval, PreviewTap previews) {
        this.tasks = tasks;
        this.previews = previews;
        this.jobs = new ArrayList<>(new LinkedHashSet<>(tasks.stream().map(SampleTask::job).toList()));
        this.progress = progress;
        this.intervalNanos = progressInterval.toNanos();
        this.alive = new boolean[tasks.size()];
        java.util.Arrays.fill(alive, true);
    }

    /** The jobs with samples in this batch, in first-sample order. */
    List<JobExecution> jobs() {
        return jobs;
    }

    @Override
    public PreviewTap previews() {
        return previews;
    }

    @Override
    public boolean[] onStep(int stepsDone, int stepsTotal) {
        for (JobExecution job : jobs) {
            int advanced = 0;
            for (int i = 0; i < tasks.size(); i++) {
                if (alive[i] && tasks.get(i).job() == job) {
                    advanced++;
                }
            }
            if (advanced > 0) {
                job.advanced(tasks.get(0).key().stage(), stepsDone, advanced);
            }
        }
        boolean write = stepsDone == stepsTotal || System.nanoTime() - lastWrite >= intervalNanos;
        if (write) {
            lastWrite = System.nanoTime();
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
    }
}
