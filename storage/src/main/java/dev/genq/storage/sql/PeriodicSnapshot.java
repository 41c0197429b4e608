package dev.genq.storage.sql;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A value read from Postgres at most once per {@code maxAge} and shared by every caller, so a hot path (pinning a
 * job, validating a submit) costs no query and a change elsewhere is seen within {@code maxAge}. {@link #forget()}
 * makes the next {@link #get()} read again; a read already under way when it is called is not kept as fresh.
 */
public final class PeriodicSnapshot<T> {
    private final Supplier<T> read;
    private final long maxAgeNanos;
    private final AtomicLong generation = new AtomicLong();
    private volatile T value;
    private volatile long readAtNanos;
    private volatile long freshGeneration = -1;

    public PeriodicSnapshot(Duration maxAge, Supplier<T> read) {
        this.read = read;
        this.maxAgeNanos = maxAge.toNanos();
    }

    public T get() {
        if (stale()) {
            synchronized (this) {
                if (stale()) {
                    long startedAt = generation.get();
                    T fresh = read.get();
                    value = fresh;
                    readAtNanos = System.nanoTime();
                    freshGeneration = startedAt; // a forget() during the read leaves it stale for the next caller
                }
            }
        }
        return value;
    }

    /** The next {@link #get()} reads again (after a change this service committed). */
    public void forget() {
        generation.incrementAndGet();
    }

    private boolean stale() {
        return freshGeneration != generation.get() || System.nanoTime() - readAtNanos > maxAgeNanos;
    }
}
