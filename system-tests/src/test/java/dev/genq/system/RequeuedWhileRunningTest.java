package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A lease renewal that comes too late (a deadlock, a stalled machine) lets the sweeper queue a job again
 * while its worker still runs it. Whichever comes first (the worker's finish, or the new message reaching
 * that worker), the job succeeds exactly once: one set of samples, images and cost rows. Here the new
 * message, on the job's own partition, is read after the first run stored the job, which then finds it
 * stored; the stuck case of WorkerCrashTest (the message read while the job still ran here, skipped, and
 * the finish dropping the result) needs the worker to read it mid-run, which this test cannot force: the
 * worker now takes the lease back on such a message and stores a job it still runs even when queued.
 */
class RequeuedWhileRunningTest {
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aJobQueuedAgainWhileItsWorkerStillRunsItSucceedsOnce() throws Exception {
        String id = platform.submit("{\"prompt\":\"requeued while running\",\"num_samples\":2,\"steps\":1000,\"seed\":9}");
        UUID job = UUID.fromString(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (platform.count("select count(*) from jobs where id = ? and status = 'running'", job) != 1) {
            assertTrue(System.nanoTime() < deadline, "the job never started");
            Thread.sleep(20);
        }
        // exactly what JobSweeper does when a lease has lapsed: status queued, and a new message in the outbox
        try (Connection c = platform.db()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("""
                    update jobs set status = 'queued', lease_owner = null, lease_until = null, progress = 0, steps_done = 0,
                                    updated_at = now(), queued_at = now()
                    where id = ? and status = 'running'""")) {
                st.setObject(1, job);
                assertEquals(1, st.executeUpdate(), "the job was still running when queued again");
            }
            try (PreparedStatement st = c.prepareStatement("""
                    insert into outbox (tenant_id, topic, message_key, payload)
                    select tenant_id, 'genq.jobs.preview', id::text,
                           json_build_object('jobId', id, 'tenantId', tenant_id, 'mode', 'preview', 'enqueuedAt', ?)::text
                    from jobs where id = ?""")) {
                st.setString(1, Instant.now().toString());
                st.setObject(2, job);
                assertEquals(1, st.executeUpdate());
            }
            c.commit();
        }
        ExactlyOnce.assertSucceededOnce(platform, List.of(id), 2, Duration.ofSeconds(120));
    }
}
