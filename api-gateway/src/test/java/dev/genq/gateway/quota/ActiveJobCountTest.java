package dev.genq.gateway.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The concurrency quota reads a per-tenant counter kept by a trigger on jobs instead of counting the
 * tenant's queued and running jobs on every submit: the counter must equal that count after any mix of
 * inserts, status changes (by any service, in any order, concurrently) and deletes.
 */
@QuarkusTest
class ActiveJobCountTest {
    final EntityManager em;

    ActiveJobCountTest(EntityManager em) {
        this.em = em;
    }

    static final String[] STATUSES = {"queued", "running", "moderating", "needs_review", "succeeded", "failed", "canceled", "rejected"};

    @Test
    void theCounterEqualsTheCountAfterEveryKindOfChangeEvenConcurrent() throws Exception {
        UUID tenant = UUID.randomUUID();
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(insert(tenant, i % 2 == 0 ? "queued" : "running"));
        }
        assertEquals(count(tenant), counter(tenant));
        assertEquals(40, counter(tenant));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> changes = new ArrayList<>();
        for (int round = 0; round < 400; round++) {
            UUID job = jobs.get(ThreadLocalRandom.current().nextInt(jobs.size()));
            String to = STATUSES[ThreadLocalRandom.current().nextInt(STATUSES.length)];
            changes.add(pool.submit(() -> QuarkusTransaction.requiringNew().run(() ->
                    em.createNativeQuery("update jobs set status = ?1 where id = ?2").setParameter(1, to).setParameter(2, job).executeUpdate())));
        }
        for (Future<?> f : changes) {
            f.get();
        }
        pool.shutdown();
        assertEquals(count(tenant), counter(tenant), "after 400 concurrent status changes");

        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from jobs where id = ?1 or id = ?2")
                .setParameter(1, jobs.get(0)).setParameter(2, jobs.get(1)).executeUpdate());
        assertEquals(count(tenant), counter(tenant), "after deletes");
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update jobs set status = 'succeeded' where tenant_id = ?1")
                .setParameter(1, tenant).executeUpdate());
        assertEquals(0, counter(tenant), "every job finished in one statement");
    }

    private UUID insert(UUID tenant, String status) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model)
                values (?1, ?2, ?3, 'preview', 'count', 1, 1, 1, 1.0, 'ddim', 'tiny-base')""")
                .setParameter(1, id).setParameter(2, tenant).setParameter(3, status).executeUpdate());
        return id;
    }

    private long count(UUID tenant) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where tenant_id = ?1 and status in ('queued', 'running')")
                .setParameter(1, tenant).getSingleResult()).longValue());
    }

    private long counter(UUID tenant) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select coalesce(sum(active), 0) from tenant_active_jobs where tenant_id = ?1")
                .setParameter(1, tenant).getSingleResult()).longValue());
    }
}
