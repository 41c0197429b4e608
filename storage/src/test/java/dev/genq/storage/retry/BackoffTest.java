package dev.genq.storage.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromInitialUpToMaxAndStartsOverAfterASuccess() {
        Backoff.Delay delay = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)).delay();
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(delay.failed());
        }
        assertEquals(List.of(200L, 400L, 800L, 1600L, 2000L, 2000L), waits);
        delay.succeeded();
        assertEquals(0, delay.currentMillis());
        assertEquals(200, delay.failed());
    }

    @Test
    void aPreviousWaitOutsideTheRangeIsBroughtBackIntoIt() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));
        assertEquals(500, b.nextMillis(0));
        assertEquals(500, b.nextMillis(100), "never below initial");
        assertEquals(10_000, b.nextMillis(Long.MAX_VALUE), "no overflow");
    }

    @Test
    void anEmptyOrInvertedRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
