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
 * other keys wait for a batch of their own.
 *
 * @param <T> a queued sample; {@code key} says which ones can share a forward pass
 */
final class BatchQueue<T> {
    private final Function<T, ?> key;
    private final int maxSamples;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final LinkedList<Queued<T>> queue = new LinkedList<>();
    private boolean closed;

    private record Queued<T>(T task, long arrivedNanos) {
    }

    BatchQueue(Function<T, ?> key, int maxSamples, Duration maxWait) {
        this.key = key;
        this.maxSamples = maxSamples;
        this.maxWait = maxWait;
    }

    void add(List<T> tasks) {
        long now = System.nanoTime();
        lock.lock();
        try {
            for (T t : tasks) {
                queue.add(new Queued<>(t, now));
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
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
