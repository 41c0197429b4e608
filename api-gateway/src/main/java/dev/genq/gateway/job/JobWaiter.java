package dev.genq.gateway.job;

import dev.genq.storage.job.Job;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/** Holds a request until its job reaches a terminal state or the client's wait runs out. */
@ApplicationScoped
public class JobWaiter {
    private static final long POLL_MILLIS = 100;

    private final JobService jobs;

    public JobWaiter(JobService jobs) {
        this.jobs = jobs;
    }

    public Job awaitFinished(UUID tenantId, Job job, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Job current = job;
        while (!current.status.isTerminal() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            current = jobs.get(tenantId, current.id.toString());
        }
        return current;
    }
}
