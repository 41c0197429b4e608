package dev.genq.worker.batch;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Between steps: records each job's progress with a compare-and-set on status 'running', in one
 * transaction per batch step. A job that is no longer running (canceled) matches nothing: that is the
 * cancellation check, and its samples leave the batch before the next step.
 */
@ApplicationScoped
public class BatchProgress {

    /** @return for each job, whether it is still running */
    public boolean[] record(List<JobExecution> jobs) {
        return QuarkusTransaction.requiringNew().call(() -> {
            boolean[] running = new boolean[jobs.size()];
            for (int i = 0; i < jobs.size(); i++) {
                JobExecution j = jobs.get(i);
                running[i] = Job.update("stepsDone = ?1, progress = ?2, updatedAt = current_timestamp"
                        + " where id = ?3 and status = ?4", j.stepsDone(), j.progress(), j.job.id, JobStatus.RUNNING) == 1;
            }
            return running;
        });
    }
}
