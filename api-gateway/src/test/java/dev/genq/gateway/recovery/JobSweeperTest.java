package dev.genq.gateway.recovery;

import static dev.genq.gateway.TestKeys.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.outbox.OutboxMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobSweeperTest {
    final JobSweeper sweeper;
    final EntityManager em;

    JobSweeperTest(JobSweeper sweeper, EntityManager em) {
        this.sweeper = sweeper;
        this.em = em;
    }

    /**
     * A submitted job, once the dispatcher has published it: the tests then play a worker that took it, which only a
     * published job can be (the dispatch runs after the submit answers, so it is awaited, within a bound).
     */
    UUID submit() {
        UUID id = UUID.fromString(given().contentType(ContentType.JSON).body("{\"prompt\":\"swept\"}").when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id"));
        awaitMessages(id, 1);
        return id;
    }

    void awaitMessages(UUID id, long n) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (messages(id, "genq.jobs.preview") < n && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        assertEquals(n, messages(id, "genq.jobs.preview"), "published messages of job " + id);
    }

    void sql(String sql, UUID id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(sql).setParameter(1, id).executeUpdate());
    }

    Job job(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(id));
    }

    long messages(UUID id, String topic) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("messageKey = ?1 and topic = ?2", id.toString(), topic));
    }

    @Test
    void aRunningJobWhoseLeaseRanOutIsQueuedAgainWithANewMessage() {
        UUID id = submit();
        sql("update jobs set status = 'running', lease_owner = 'dead-worker', lease_until = now() - interval '1 second', "
                + "attempts = 1, steps_done = 7, progress = 0.35 where id = ?1", id);
        sweeper.sweep();
        Job j = job(id);
        assertEquals(JobStatus.QUEUED, j.status);
        assertNull(j.leaseOwner);
        assertEquals(0, j.stepsDone);
        // back in the fair queue: the dispatcher (woken by the sweep) publishes it again
        awaitMessages(id, 2); // the submit's message and the re-queue's
    }

    @Test
    void aLiveLeaseIsLeftAlone() {
        UUID id = submit();
        sql("update jobs set status = 'running', lease_owner = 'busy-worker', lease_until = now() + interval '1 minute', "
                + "attempts = 1 where id = ?1", id);
        sweeper.sweep();
        assertEquals(JobStatus.RUNNING, job(id).status);
        assertEquals(1, messages(id, "genq.jobs.preview"));
    }

    @Test
    void aJobWhoseWorkerKeepsVanishingFailsUnbilled() {
        UUID id = submit();
        sql("update jobs set status = 'running', lease_owner = 'dead-worker', lease_until = now() - interval '1 second', "
                + "attempts = 3 where id = ?1", id);
        sweeper.sweep();
        Job j = job(id);
        assertEquals(JobStatus.FAILED, j.status);
        assertEquals("worker_lost", j.errorCode);
        assertEquals(1, messages(id, "genq.job-events"), "job.failed");
        assertEquals(0L, (long) QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from sample_costs where job_id = ?1").setParameter(1, id).getSingleResult()).longValue()));
    }

    @Test
    void aJobQueuedPastTheDeadlineFailsWithDeadlineExceeded() {
        UUID id = submit();
        sql("update jobs set created_at = now() - interval '1 hour', queued_at = now() - interval '1 hour' where id = ?1", id);
        sweeper.sweep();
        Job j = job(id);
        assertEquals(JobStatus.FAILED, j.status);
        assertEquals("deadline_exceeded", j.errorCode);
        given().when().get("/v1/jobs/" + id).then().statusCode(200)
                .body("error.code", org.hamcrest.Matchers.equalTo("deadline_exceeded"));
    }

    @Test
    void theDeadlineCountsFromWhenTheJobWasLastQueued() {
        UUID id = submit();
        sql("update jobs set status = 'running', lease_owner = 'dead-worker', lease_until = now() - interval '1 second', "
                + "created_at = now() - interval '1 hour', queued_at = now() - interval '1 hour' where id = ?1", id);
        sweeper.sweep(); // re-queued: its deadline starts again
        sweeper.sweep();
        assertEquals(JobStatus.QUEUED, job(id).status);
    }

    @Test
    void aModeratingJobWhoseSamplesStayPendingIsAnnouncedAgain() {
        UUID id = submit();
        sql("update jobs set status = 'moderating' where id = ?1", id);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256)
                select id, 0, tenant_id, 'pending', 1, 32, 32, 'k0', 1, 'x' from jobs where id = ?1""").setParameter(1, id).executeUpdate());
        sweeper.sweep();
        assertEquals(0, messages(id, "genq.samples.generated"), "not stalled yet");
        sql("update jobs set updated_at = now() - interval '1 hour' where id = ?1", id);
        sweeper.sweep();
        assertEquals(1, messages(id, "genq.samples.generated"), "its pending sample, announced again");
        sweeper.sweep();
        assertEquals(1, messages(id, "genq.samples.generated"), "and not again until another stall");
        assertEquals(JobStatus.MODERATING, job(id).status);
    }

    @Test
    void idempotencyKeysPastTheirDayArePurgedAndLiveOnesKept() {
        UUID job = submit();
        sql("update jobs set status = 'canceled' where id = ?1", job); // the sweeper leaves it alone
        String old = "old-" + job;
        String live = "live-" + job;
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into idempotency_keys (tenant_id, key, request_hash, job_id, created_at) values
                ('00000000-0000-0000-0000-000000000001', ?1, 'h', ?3, now() - interval '25 hours'),
                ('00000000-0000-0000-0000-000000000001', ?2, 'h', ?3, now() - interval '23 hours')""")
                .setParameter(1, old).setParameter(2, live).setParameter(3, job).executeUpdate());
        sweeper.sweep();
        long left = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from idempotency_keys where key in (?1, ?2)").setParameter(1, old).setParameter(2, live)
                .getSingleResult()).longValue());
        long oldLeft = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from idempotency_keys where key = ?1").setParameter(1, old).getSingleResult()).longValue());
        assertEquals(0, oldLeft, "the expired key is gone");
        assertEquals(1, left, "the live key stays");
    }
}
