package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import dev.genq.worker.engine.PreviewTap;
import dev.genq.worker.preview.PreviewPublisher;
import java.util.List;

/**
 * The live previews of one batch: after every {@code preview_every} steps of a job that asked for them,
 * each of its samples still running hands its current estimate to the {@link PreviewPublisher}. Rows are
 * indexed like {@code tasks}; jobs that did not ask cost nothing.
 */
final class BatchPreviews implements PreviewTap {
    private final List<SampleTask> tasks;
    private final PreviewPublisher publisher;

    BatchPreviews(List<SampleTask> tasks, PreviewPublisher publisher) {
        this.tasks = tasks;
        this.publisher = publisher;
    }

    @Override
    public boolean wants(int stepsDone, int stepsTotal) {
        for (SampleTask t : tasks) {
            if (due(t, stepsDone)) {
                return true;
            }
        }
        return false;
    }

    private static boolean due(SampleTask t, int stepsDone) {
        int every = t.job().job().previewEvery;
        return every > 0 && stepsDone % every == 0 && !t.job().stopped();
    }

    @Override
    public void take(int stepsDone, int stepsTotal, int[] samples, float[] x0, ImageSize size) {
        int plane = x0.length / samples.length;
        for (int k = 0; k < samples.length; k++) {
            SampleTask t = tasks.get(samples[k]);
            if (!due(t, stepsDone)) {
                continue;
            }
            float[] chw = java.util.Arrays.copyOfRange(x0, k * plane, (k + 1) * plane);
            publisher.offer(new PreviewPublisher.Estimate(t.job().job().id, t.job().job().tenantId,
                    t.key().stage().wire(), t.index(), stepsDone, stepsTotal, chw, size));
        }
    }
}
