package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.genq.storage.job.JobMode;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.NonFiniteOutputException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A job with a non-finite sample is failed before anything is stored; its batch-mates go on. */
class NumericGuardTest {
    static LoadedModel base;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        base = LoadedModel.load(Path.of("../models/fixtures/tiny-base").toAbsolutePath().normalize(), Device.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    static JobExecution job(int samples) {
        return new JobExecution(JobExecutionTest.job(JobMode.PREVIEW, samples), base, null);
    }

    @Test
    void theJobWithANanSampleFailsWithTheStableCodeAndTheOtherJobIsUntouched() throws Exception {
        JobExecution healthy = job(1);
        JobExecution broken = job(2);
        StageKey key = healthy.initialTasks().get(0).key();
        List<SampleTask> tasks = List.of(new SampleTask(healthy, 0, key, null), new SampleTask(broken, 0, key, null),
                new SampleTask(broken, 1, key, null));
        float[] nan = {0.1f, Float.NaN, 0.2f};
        var result = new DiffusionEngine.StageResult(List.of(new SampleResult(new float[] {0.1f, 0.2f, 0.3f}, 4, 1),
                new SampleResult(nan, 4, 1), new SampleResult(new float[] {0.1f, Float.POSITIVE_INFINITY, 0.3f}, 4, 1)), ImageSize.square(32), 4, 2);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();

        Set<JobExecution> failed = new NumericGuard(new dev.genq.worker.metrics.WorkerMeters(metrics, "cpu")).failBroken(tasks, result, "tiny-base@1");

        assertEquals(Set.of(broken), failed);
        assertTrue(broken.stopped());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> broken.done().get());
        assertInstanceOf(NonFiniteOutputException.class, e.getCause());
        assertEquals("tiny-base@1 produced non-finite values in 2 sample(s) (2 values); no image was made", e.getCause().getMessage());
        assertFalse(healthy.stopped());
        assertFalse(healthy.done().isDone());
        assertEquals(2.0, metrics.counter("genq.engine.nonfinite.samples", "model", "tiny-base@1").count());
    }
}
