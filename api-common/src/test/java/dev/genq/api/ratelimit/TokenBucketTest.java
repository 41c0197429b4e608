package dev.genq.api.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketAllowsItsCapacityThenRefillsAtTheRate() {
        TokenBucket bucket = new TokenBucket(2, 4, 0); // 2/s, burst 4
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.tryTake(0), "burst token " + i);
        }
        assertEquals(SECOND / 2, bucket.tryTake(0), "empty: the next token is half a second away");
        assertEquals(0, bucket.tryTake(SECOND / 2));
        assertEquals(SECOND / 2, bucket.tryTake(SECOND / 2));
        // a long idle time refills only up to the capacity
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.tryTake(100 * SECOND));
        }
        assertEquals(SECOND / 2, bucket.tryTake(100 * SECOND));
    }
}
