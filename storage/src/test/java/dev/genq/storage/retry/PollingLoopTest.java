package dev.genq.storage.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollingLoopTest {

    @Test
    void aWakeRunsARoundLongBeforeThePollIntervalAndWakesDuringARoundAreOneMore() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PollingLoop loop = new PollingLoop("test-wake", Duration.ofHours(1), new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)),
                () -> {
                    if (rounds.incrementAndGet() == 1) {
                        inFirst.countDown();
                        release.await(30, TimeUnit.SECONDS); // hold the first round while wakes arrive
                    }
                    return true;
                });
        loop.start();
        try {
            loop.wake();
            // the hour-long poll never comes: only a wake runs a round
            assertTrue(inFirst.await(30, TimeUnit.SECONDS), "a round soon after the wake");
            loop.wake();
            loop.wake(); // two wakes during a round: one more round, whatever the threads' speed
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (rounds.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, rounds.get(), "the wakes during the first round ran a second");
            Thread.sleep(300); // nothing else is due for an hour: a slow machine only makes this easier to pass
            assertEquals(2, rounds.get(), "two wakes are one round, not two");
        } finally {
            loop.stop(Duration.ofSeconds(5));
        }
        assertFalse(loop.running());
    }

    @Test
    void failedAndThrowingRoundsBackOffAndTheLoopSurvivesThem() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        List<Long> at = new CopyOnWriteArrayList<>();
        CountDownLatch five = new CountDownLatch(5);
        PollingLoop loop = new PollingLoop("test-backoff", Duration.ofHours(1), new Backoff(Duration.ofMillis(50), Duration.ofMillis(400)),
                () -> {
                    at.add(System.nanoTime());
                    five.countDown();
                    int n = rounds.incrementAndGet();
                    if (n % 2 == 0) {
                        throw new IllegalStateException("round " + n + " broke");
                    }
                    return n > 4; // rounds 1 and 3 fail, 2 and 4 throw, 5 succeeds
                });
        loop.start();
        try {
            loop.wake();
            assertTrue(five.await(30, TimeUnit.SECONDS), "rounds go on after failures and exceptions, without a wake");
        } finally {
            loop.stop(Duration.ofSeconds(5));
        }
        // waits between rounds grow 50, 100, 200, 400 ms: each at least its backoff (a slow machine only adds)
        long[] minimum = {50, 100, 200, 400};
        for (int i = 0; i < 4; i++) {
            long gapMs = (at.get(i + 1) - at.get(i)) / 1_000_000;
            assertTrue(gapMs >= minimum[i] - 5, "gap " + i + " was " + gapMs + " ms, backoff " + minimum[i]);
        }
    }
}
