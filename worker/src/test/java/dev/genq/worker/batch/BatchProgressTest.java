package dev.genq.worker.batch;

import dev.genq.storage.job.Stage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.local.GenqStackTestResource;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.JobStatus;
import dev.genq.worker.model.ModelRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The between-steps check in the real worker against the real database. */
@QuarkusTest
@QuarkusTestResource(GenqStackTestResource.class)
class BatchProgressTest {
    @Inject
    BatchProgress progress;

    @Inject
    ModelRegistry models;

    @Test
    void everyStepSeesACancelAndAThrottledWriteNeverRevivesTheJob() {
        Job job = runningJob();
        JobExecution run = new JobExecution(job, models.get("tiny-base").orElseThrow(), null);
        run.advanced(Stage.BASE, 3, 1);

        assertArrayEquals(new boolean[] {true}, progress.record(List.of(run), false), "read-only step");
        assertArrayEquals(new boolean[] {true}, progress.record(List.of(run), true), "throttled write");
        assertEquals(3, reload(job).stepsDone);

        QuarkusTransaction.requiringNew().run(() -> Job.transition(job.id, EnumSet.of(JobStatus.RUNNING), JobStatus.CANCELED));
        run.advanced(Stage.BASE, 4, 1);
        assertArrayEquals(new boolean[] {false}, progress.record(List.of(run), false), "the next step sees the cancel");
        assertArrayEquals(new boolean[] {false}, progress.record(List.of(run), true));
        Job after = reload(job);
        assertEquals(JobStatus.CANCELED, after.status, "a progress write cannot move a canceled job");
        assertEquals(3, after.stepsDone, "frozen at cancel");
    }

    private static Job runningJob() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Job j = new Job();
            j.id = UUID.randomUUID();
            j.tenantId = UUID.randomUUID();
            j.status = JobStatus.RUNNING;
            j.mode = JobMode.PREVIEW;
            j.prompt = "a cat";
            j.negativePrompt = "";
            j.numSamples = 1;
            j.seed = 1;
            j.steps = 10;
            j.guidanceScale = 3.0;
            j.sampler = "ddim";
            j.model = "tiny-base";
            j.persist();
            return j;
        });
    }

    private static Job reload(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(job.id));
    }
}
