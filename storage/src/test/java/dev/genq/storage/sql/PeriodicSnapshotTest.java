package dev.genq.storage.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicSnapshotTest {
    @Test
    void readsOncePerAgeAndAgainAfterForget() {
        AtomicInteger reads = new AtomicInteger();
        PeriodicSnapshot<Integer> snapshot = new PeriodicSnapshot<>(Duration.ofHours(1), reads::incrementAndGet);
        assertEquals(1, snapshot.get());
        assertEquals(1, snapshot.get());
        snapshot.forget();
        assertEquals(2, snapshot.get());
        assertEquals(2, snapshot.get());
    }

    /** A forget() while a read is under way (it may have read the old state) must not leave that read as fresh. */
    @Test
    void aForgetDuringAReadMakesTheNextGetReadAgain() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch forgotten = new CountDownLatch(1);
        PeriodicSnapshot<Integer> snapshot = new PeriodicSnapshot<>(Duration.ofHours(1), () -> {
            int n = reads.incrementAndGet();
            if (n == 1) {
                reading.countDown();
                try {
                    forgotten.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return n;
        });
        Thread first = new Thread(snapshot::get);
        first.start();
        reading.await(30, TimeUnit.SECONDS);
        snapshot.forget();
        forgotten.countDown();
        first.join(30_000);
        assertEquals(2, snapshot.get(), "the read that overlapped the forget is not kept");
        assertEquals(2, snapshot.get());
    }
}
