package dev.genq.worker.batch;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Between steps: is each batched job still running? Every step asks (one indexed read), so a canceled
 * job's samples leave the batch within one step; progress is written only when {@code write} is set
 * (the batcher throttles it), as a compare-and-set on status 'running', so a write can never revive a
 * canceled job.
 */
@ApplicationScoped
public class BatchProgress {

    /** @return for each job, whether it is still running */
    public boolean[] record(List<JobExecution> jobs, boolean write) {
        return QuarkusTransaction.requiringNew().call(() -> {
            boolean[] running = new boolean[jobs.size()];
            if (write) {
                // in id order, like the lease renewal: two writers locking the same rows in different
                // orders deadlock
                Integer[] order = new Integer[jobs.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                java.util.Arrays.sort(order, java.util.Comparator.comparing(k -> jobs.get(k).job().id.toString()));
                for (int i : order) {
                    JobExecution j = jobs.get(i);
                    running[i] = Job.update("stepsDone = ?1, progress = ?2, updatedAt = current_timestamp"
                            + " where id = ?3 and status = ?4", j.stepsDone(), j.progress(), j.job().id, JobStatus.RUNNING) == 1;
                }
                return running;
            }
            List<UUID> ids = jobs.stream().map(j -> j.job().id).toList();
            Set<UUID> stillRunning = new HashSet<>(Job.getEntityManager()
                    .createQuery("select j.id from Job j where j.id in :ids and j.status = :running", UUID.class)
                    .setParameter("ids", ids).setParameter("running", JobStatus.RUNNING).getResultList());
            for (int i = 0; i < jobs.size(); i++) {
                running[i] = stillRunning.contains(ids.get(i));
            }
            return running;
        });
    }
}
