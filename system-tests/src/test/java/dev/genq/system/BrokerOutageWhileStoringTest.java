package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker goes away while a worker is computing a job and stays away for a minute: the worker still
 * stores the job (samples, costs, status and its samples.generated messages in one transaction) and never
 * fails it; once the broker is back the outbox relay announces it, moderation settles it, and it succeeds
 * exactly once, billed once.
 */
class BrokerOutageWhileStoringTest {
    static final Duration OUTAGE = Duration.ofSeconds(60);
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aJobStoredWhileTheBrokerIsDownSucceedsOnceAndIsBilledOnce() throws Exception {
        // 1,000 steps of four samples: seconds of work, so the broker is gone before the job is stored
        String id = platform.submit("{\"prompt\":\"stored in an outage\",\"num_samples\":4,\"steps\":1000,\"seed\":5}");
        UUID job = UUID.fromString(id);
        awaitCount("select count(*) from jobs where id = ? and status = 'running'", job, Duration.ofSeconds(60));
        long stopped = System.nanoTime();
        platform.stack.stopKafka();
        try {
            awaitCount("select count(*) from jobs where id = ? and status = 'moderating'", job, Duration.ofSeconds(120));
            assertEquals(4, platform.count("select count(*) from outbox where message_key = ? and topic = 'genq.samples.generated'"
                    + " and sent_at is null", id), "stored with the broker away: its announcements wait in the outbox");
            assertEquals(4, platform.count("select count(*) from sample_costs where job_id = ?", job), "billed once, when stored");
            long left = OUTAGE.toNanos() - (System.nanoTime() - stopped);
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the outage itself is what this test is about: a full minute of it
            }
            assertEquals(1, platform.count("select count(*) from jobs where id = ? and status = 'moderating'", job),
                    "a minute without a broker does not fail a stored job");
        } finally {
            platform.stack.restartKafka();
        }
        ExactlyOnce.assertSucceededOnce(platform, List.of(id), 4, Duration.ofSeconds(150));
        assertEquals(0, platform.count("select count(*) from outbox where message_key = ? and topic = 'genq.samples.generated'"
                + " and sent_at is null", id), "every announcement published once the broker was back");
    }

    private void awaitCount(String sql, UUID job, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (platform.count(sql, job) != 1) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + timeout + ": " + sql);
            Thread.sleep(20);
        }
    }
}
