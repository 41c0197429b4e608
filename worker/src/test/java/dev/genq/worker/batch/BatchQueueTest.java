package dev.genq.worker.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batcher's choice of the next batch, without a model: which samples, how many, and when. */
class BatchQueueTest {
    record Task(String name, String key) {
    }

    static Task t(String name, String key) {
        return new Task(name, key);
    }

    static final Duration LONG = Duration.ofMinutes(10); // a wait the test would notice; never reached when it passes

    @Test
    void theOldestSamplesKeyDecidesAndTheBatchTakesItsSamplesOldestFirstUpToTheMax() throws Exception {
        BatchQueue<Task> q = new BatchQueue<>(Task::key, 3, LONG);
        q.add(List.of(t("a1", "A"), t("b1", "B"), t("a2", "A"), t("a3", "A"), t("b2", "B"), t("a4", "A")));
        assertEquals(List.of(t("a1", "A"), t("a2", "A"), t("a3", "A")), q.next(LONG), "full at 3: no wait, B's stay");
        q.add(List.of(t("b3", "B")));
        assertEquals(List.of(t("b1", "B"), t("b2", "B"), t("b3", "B")), q.next(LONG), "b1 is the oldest now: B's turn");
        q.add(List.of(t("a5", "A"), t("a6", "A")));
        assertEquals(List.of(t("a4", "A"), t("a5", "A"), t("a6", "A")), q.next(LONG));
    }

    record Owned(String name, String owner, boolean urgent) {
    }

    @Test
    void interactiveSamplesGoAheadOfBulkOnesAndTenantsTakeTurns() throws Exception {
        BatchQueue<Owned> q = new BatchQueue<>(o -> "same", Owned::urgent, Owned::owner, 4, LONG);
        Owned bulk = new Owned("bulk", "A", false);
        Owned a1 = new Owned("a1", "A", true);
        Owned a2 = new Owned("a2", "A", true);
        Owned a3 = new Owned("a3", "A", true);
        Owned b1 = new Owned("b1", "B", true);
        q.add(List.of(bulk, a1, a2, a3));
        q.add(List.of(b1));
        assertEquals(List.of(a1, b1, a2, a3), q.next(LONG), "B's one sample goes after A's first, not its third; bulk waits");
        Owned b2 = new Owned("b2", "B", false);
        Owned c1 = new Owned("c1", "C", false);
        q.add(List.of(b2, c1));
        q.add(List.of(a1));
        assertEquals(List.of(a1, bulk, b2, c1), q.next(LONG), "an interactive sample first, then bulk tenants in turn");
    }

    @Test
    void aFullBatchGoesAtOnceAndAPartialOneAfterMaxWait() throws Exception {
        BatchQueue<Task> full = new BatchQueue<>(Task::key, 2, LONG);
        full.add(List.of(t("a1", "A"), t("a2", "A")));
        CompletableFuture<List<Task>> got = CompletableFuture.supplyAsync(() -> next(full, LONG));
        assertEquals(List.of(t("a1", "A"), t("a2", "A")), got.get(60, TimeUnit.SECONDS), "full: it does not wait max-wait");

        BatchQueue<Task> partial = new BatchQueue<>(Task::key, 8, Duration.ofMillis(50));
        partial.add(List.of(t("a1", "A")));
        long started = System.nanoTime();
        assertEquals(List.of(t("a1", "A")), partial.next(LONG), "alone after max-wait");
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(45), "it waited for company first");
    }

    @Test
    void aSampleArrivingWhileTheBatchWaitsJoinsItAndCompletesIt() throws Exception {
        BatchQueue<Task> q = new BatchQueue<>(Task::key, 2, LONG);
        q.add(List.of(t("a1", "A")));
        CompletableFuture<List<Task>> got = CompletableFuture.supplyAsync(() -> next(q, LONG));
        q.add(List.of(t("b1", "B"))); // another key: no company for A
        q.add(List.of(t("a2", "A")));
        assertEquals(List.of(t("a1", "A"), t("a2", "A")), got.get(60, TimeUnit.SECONDS));
        q.add(List.of(t("b2", "B")));
        assertEquals(List.of(t("b1", "B"), t("b2", "B")), q.next(LONG), "then B's, oldest first");
    }

    @Test
    void anIdleQueueAnswersEmptyAfterIdleAndAClosedOneAtOnce() throws Exception {
        BatchQueue<Task> q = new BatchQueue<>(Task::key, 2, LONG);
        assertEquals(List.of(), q.next(Duration.ofMillis(20)));
        q.add(List.of(t("a1", "A")));
        CompletableFuture<List<Task>> waiting = CompletableFuture.supplyAsync(() -> next(q, LONG));
        Thread.sleep(50); // usually inside its wait for company; either way close() must end it
        q.close();
        assertEquals(List.of(), waiting.get(60, TimeUnit.SECONDS), "closed: no batch, however long max-wait is");
        assertEquals(List.of(), q.next(LONG));
    }

    private static List<Task> next(BatchQueue<Task> q, Duration idle) {
        try {
            return q.next(idle);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
