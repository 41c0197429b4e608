package dev.genq.worker.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The samples waiting for a forward pass, and the rule that picks the next batch: the oldest sample's key
 * decides; its batch takes every waiting sample with that key, oldest first, up to {@code maxSamples}, once
 * that many are waiting or the oldest has waited {@code maxWait} (Triton's max_queue_delay). Samples with
 * other keys wait for a batch of their own. Urgent samples (interactive jobs') queue ahead of the others (bulk jobs'),
 * and within each class the owners (tenants) take turns, so neither a batch's backlog nor another tenant's jobs make a
 * person wait long (see {@link #insert}).
 *
 * @param <T> a queued sample; {@code key} says which ones can share a forward pass
 */
final class BatchQueue<T> {
    private final Function<T, ?> key;
    private final java.util.function.Predicate<T> urgent;
    private final Function<T, ?> owner;
    private final int maxSamples;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final LinkedList<Queued<T>> queue = new LinkedList<>();
    private boolean closed;

    private record Queued<T>(T task, long arrivedNanos) {
    }

    BatchQueue(Function<T, ?> key, int maxSamples, Duration maxWait) {
        this(key, t -> true, t -> "", maxSamples, maxWait);
    }

    BatchQueue(Function<T, ?> key, java.util.function.Predicate<T> urgent, Function<T, ?> owner, int maxSamples, Duration maxWait) {
        this.key = key;
        this.urgent = urgent;
        this.owner = owner;
        this.maxSamples = maxSamples;
        this.maxWait = maxWait;
    }

    void add(List<T> tasks) {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (T t : tasks) {
                insert(new Queued<>(t, now));
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Urgent samples before the others; within each, one sample of each owner (tenant) in turn: a sample goes before the
     * first one of its class whose owner has more samples ahead of it than this sample's owner has. So a tenant with one
     * sample is not served after another tenant's fifteen.
     */
    private void insert(Queued<T> q) {
        boolean mine = urgent.test(q.task());
        Object who = owner.apply(q.task());
        int myRound = 0;
        for (Queued<T> e : queue) {
            if (urgent.test(e.task()) == mine && owner.apply(e.task()).equals(who)) {
                myRound++;
            }
        }
        java.util.Map<Object, Integer> rounds = new java.util.HashMap<>();
        java.util.ListIterator<Queued<T>> it = queue.listIterator();
        while (it.hasNext()) {
            Queued<T> e = it.next();
            boolean theirs = urgent.test(e.task());
            if (mine && !theirs) { // urgent goes ahead of every non-urgent sample
                it.previous();
                break;
            }
            if (theirs == mine && rounds.merge(owner.apply(e.task()), 1, Integer::sum) - 1 > myRound) {
                it.previous();
                break;
            }
        }
        it.add(q);
    }

    /** Wakes every waiting {@link #next}; from now on it answers empty. */
    void close() {
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for work (at most {@code idle}), then for company until the batch is full or its oldest sample
     * has waited {@code maxWait}. @return the batch, or empty when none came within {@code idle} or closed
     */
    List<T> next(Duration idle) throws InterruptedException {
        lock.lock();
        try {
            long idleUntil = System.nanoTime() + idle.toNanos();
            while (!closed && queue.isEmpty()) {
                long wait = idleUntil - System.nanoTime();
                if (wait <= 0) {
                    return List.of();
                }
                arrived.awaitNanos(wait);
            }
            if (closed) {
                return List.of();
            }
            Queued<T> first = queue.getFirst();
            Object batchKey = key.apply(first.task());
            long deadline = first.arrivedNanos() + maxWait.toNanos();
            while (!closed && waiting(batchKey) < maxSamples) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0) {
                    break;
                }
                arrived.awaitNanos(wait);
            }
            if (closed) {
                return List.of(); // shutting down: no new batch starts; its jobs' messages are delivered again
            }
            List<T> batch = new ArrayList<>();
            for (Iterator<Queued<T>> it = queue.iterator(); it.hasNext() && batch.size() < maxSamples; ) {
                Queued<T> q = it.next();
                if (key.apply(q.task()).equals(batchKey)) {
                    batch.add(q.task());
                    it.remove();
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private int waiting(Object batchKey) {
        int n = 0;
        for (Queued<T> q : queue) {
            if (key.apply(q.task()).equals(batchKey)) {
                n++;
            }
        }
        return n;
    }
}
