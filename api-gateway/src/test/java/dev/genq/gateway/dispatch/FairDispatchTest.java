package dev.genq.gateway.dispatch;

import static dev.genq.gateway.TestKeys.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's order, with no worker: a depth of 4 preview jobs, and the test finishing the jobs in flight
 * (as a worker would) to free room. Every job costs the same, so the order is exact, not statistical.
 */
@QuarkusTest
@TestProfile(FairDispatchTest.DepthFour.class)
class FairDispatchTest {
    public static class DepthFour implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genq.dispatch.depth", "4", "genq.dispatch.poll-interval", "PT1H");
        }
    }

    static final String JOB = "{\"prompt\":\"a red apple\",\"steps\":4,\"num_samples\":1%s}";

    final EntityManager em;
    final FairDispatcher dispatcher;

    FairDispatchTest(EntityManager em, FairDispatcher dispatcher) {
        this.em = em;
        this.dispatcher = dispatcher;
    }

    /** Other test classes leave jobs queued forever (no worker): they are settled, so only this test's jobs are in flight. */
    @BeforeEach
    void settleLeftovers() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update jobs set status = 'failed', error_code = 'test_cleanup' where status in ('queued', 'running')").executeUpdate());
    }

    @Test
    void weightsTwoToOneGetTwoToOneOfTheDispatchesAndPositionsOnlyFall() {
        String blocker = tenant(1);
        String heavy = tenant(2);
        String light = tenant(1);
        List<String> blocking = submit(blocker, 4, "");
        awaitDispatched(blocking);
        List<String> heavyJobs = submit(heavy, 12, "");
        List<String> lightJobs = submit(light, 12, "");
        assertEquals(0, dispatched(heavyJobs) + dispatched(lightJobs), "the depth is full: nothing more goes out");
        long position = position(light, lightJobs.get(11));
        assertEquals(4 + 11 + 12, position, "the last light job: 4 in flight ahead, its own 11, and all 12 heavy (weight 2)");

        List<String> inFlight = blocking;
        List<String> order = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            finish(inFlight);
            inFlight = dispatchRound();
            assertEquals(4, inFlight.size(), "round " + round + " fills the depth again");
            order.addAll(inFlight);
            long now = position(light, lightJobs.get(11));
            assertTrue(now < position, "a waiting job's position falls as the queue drains: " + position + " -> " + now);
            position = now;
        }
        long heavyCount = order.stream().filter(heavyJobs::contains).count();
        long lightCount = order.stream().filter(lightJobs::contains).count();
        assertEquals(8, heavyCount, "weight 2 gets two of every three dispatches: " + order);
        assertEquals(4, lightCount, "weight 1 gets one of every three");
        assertEquals(List.copyOf(heavyJobs.subList(0, 8)), order.stream().filter(heavyJobs::contains).toList(),
                "FIFO within a tenant");
    }

    /**
     * A client sending its jobs from many threads gets the same place in the queue as one sending them one by one:
     * each job's start tag is the previous one's finish tag. Two concurrent submits used to read the same last
     * waiting job and take the same tag, one of them for free: weights 2:1 came out 1.86:1 with 4 threads per tenant.
     */
    @Test
    void concurrentSubmitsOfOneTenantChainTheirStartTags() throws Exception {
        String blocker = tenant(1);
        String tenant = tenant(1);
        awaitDispatched(submit(blocker, 4, ""));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<List<String>>> parts = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            parts.add(pool.submit(() -> submit(tenant, 4, "")));
        }
        List<String> ids = new ArrayList<>();
        for (var part : parts) {
            ids.addAll(part.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        @SuppressWarnings("unchecked")
        List<Object[]> tags = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                select fair_start, fair_finish from jobs where id = any(cast(?1 as uuid[])) and dispatched_at is null
                order by fair_start, seq""").setParameter(1, ids.toArray(new String[0])).getResultList());
        assertEquals(32, tags.size(), "the depth is full: all 32 wait");
        for (int i = 1; i < tags.size(); i++) {
            double finishBefore = ((Number) tags.get(i - 1)[1]).doubleValue();
            double start = ((Number) tags.get(i)[0]).doubleValue();
            assertEquals(finishBefore, start, 1e-9, "job " + i + " of 32 starts where the one before it finishes");
        }
    }

    @Test
    void aNewcomerTakesTheFreedPlacesUntilBothTenantsHoldTheirShareOfTheDepth() {
        String first = tenant(1);
        String second = tenant(1);
        List<String> backlog = submit(first, 10, "");
        awaitDispatched(backlog.subList(0, 4));
        List<String> newcomer = submit(second, 3, "");
        finish(backlog.subList(0, 2));
        // alone, the first tenant had the whole depth (4); now each may hold 2: both freed places go to the newcomer,
        // not every other one (its second job's tag ties with the first tenant's next, which is passed over)
        assertEquals(newcomer.subList(0, 2), dispatchRound(2));
        finish(backlog.subList(2, 4));
        assertEquals(backlog.subList(4, 6), dispatchRound(2), "then the first tenant's next two, up to its share");
    }

    @Test
    void interactiveGoesFirstButBulkGetsItsMinimumShare() {
        String tenant = tenant(1);
        List<String> blocking = submit(tenant, 4, "");
        awaitDispatched(blocking);
        List<String> bulk = submit(tenant, 3, ",\"priority\":\"bulk\"");
        List<String> interactive = submit(tenant, 20, "");
        List<String> order = new ArrayList<>();
        List<String> inFlight = blocking;
        for (int round = 0; round < 5; round++) {
            finish(inFlight);
            inFlight = dispatchRound();
            order.addAll(inFlight);
        }
        // bulk-min-share 0.1: while both wait, one dispatch in ten is bulk
        assertEquals(20, order.size());
        assertEquals(2, order.stream().filter(bulk::contains).count(), "two of the first 20 dispatches are bulk: " + order);
        assertTrue(interactive.contains(order.get(0)), "interactive goes first");
        assertEquals(bulk.get(0), order.get(9), "the 10th dispatch is bulk");
        assertEquals(bulk.get(1), order.get(19), "and the 20th");
        as(TestKeys.CLIENT).contentType(ContentType.JSON).body("{\"prompt\":\"x\",\"priority\":\"urgent\"}").when().post("/v1/jobs")
                .then().statusCode(400).body("errors[0].code", org.hamcrest.Matchers.equalTo("unknown_priority"));
    }

    private String tenant(double weight) {
        String id = as(TestKeys.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "fair-" + UUID.randomUUID(), "weight", weight, "max_concurrent_jobs", 1000))
                .when().post("/v1/admin/tenants").then().statusCode(201)
                .body("weight", org.hamcrest.Matchers.equalTo((float) weight)).extract().path("id");
        return as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("client")))
                .when().post("/v1/admin/tenants/" + id + "/keys").then().statusCode(201).extract().path("key");
    }

    private static List<String> submit(String key, int n, String extra) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(as(key).contentType(ContentType.JSON).body(JOB.formatted(extra)).when().post("/v1/jobs")
                    .then().statusCode(202).extract().path("id"));
        }
        return ids;
    }

    private static long position(String key, String id) {
        Number p = as(key).when().get("/v1/jobs/" + id).then().statusCode(200).extract().path("queue.position");
        if (p == null) {
            throw new AssertionError("no queue position for " + id);
        }
        return p.longValue();
    }

    /** Finishes these jobs as a worker would (they leave the depth). */
    private void finish(List<String> ids) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update jobs set status = 'succeeded', finished_at = now() where id = any(cast(?1 as uuid[]))")
                .setParameter(1, ids.toArray(new String[0])).executeUpdate());
    }

    /**
     * Dispatches until the depth is full again (the background loop may take a pass itself: either one's work counts).
     * @return the jobs dispatched, in dispatch order (their outbox rows' order)
     */
    private List<String> dispatchRound() {
        return dispatchRound(4);
    }

    @SuppressWarnings("unchecked")
    private List<String> dispatchRound(int expected) {
        long before = QuarkusTransaction.requiringNew().call(() ->
                ((Number) em.createNativeQuery("select coalesce(max(id), 0) from outbox").getSingleResult()).longValue());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            QuarkusTransaction.requiringNew().call(dispatcher::dispatch);
            List<String> sent = QuarkusTransaction.requiringNew().call(() -> ((List<Object>) em.createNativeQuery("""
                    select message_key from outbox where topic = 'genq.jobs.preview' and id > ?1 order by id""")
                    .setParameter(1, before).getResultList()).stream().map(String::valueOf).toList());
            if (sent.size() >= expected || System.nanoTime() > deadline) {
                return sent;
            }
            pause();
        }
    }

    private void awaitDispatched(List<String> ids) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (dispatched(ids) < ids.size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not dispatched within 30 s: " + ids);
            }
            dispatcher.wake();
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private long dispatched(List<String> ids) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where id = any(cast(?1 as uuid[])) and dispatched_at is not null")
                .setParameter(1, ids.toArray(new String[0])).getSingleResult()).longValue());
    }
}
