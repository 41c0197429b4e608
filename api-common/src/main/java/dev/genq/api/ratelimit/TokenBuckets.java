package dev.genq.api.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (an API key, a tenant, an address), in this process's memory. At most {@code limit} keys: past
 * it every bucket is dropped (a flood of keys starts over rather than growing memory without bound; each key gains
 * at most one extra burst).
 */
public final class TokenBuckets<K> {
    private final int limit;
    private final Map<K, TokenBucket> buckets = new ConcurrentHashMap<>();

    public TokenBuckets(int limit) {
        this.limit = limit;
    }

    /**
     * Takes a token from the key's bucket, made full at {@code ratePerSecond} and {@code capacity} on first use.
     * @return 0 if one was taken, else the seconds until one will be (at least 1)
     */
    public long take(K key, double ratePerSecond, double capacity) {
        if (buckets.size() >= limit) {
            buckets.clear();
        }
        long now = System.nanoTime();
        return seconds(buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, capacity, now)).tryTake(now));
    }

    /** What {@link #take} would answer now, without taking a token; 0 for a key with no bucket yet. */
    public long peek(K key) {
        TokenBucket bucket = buckets.get(key);
        return bucket == null ? 0 : seconds(bucket.peek(System.nanoTime()));
    }

    private static long seconds(long waitNanos) {
        return waitNanos == 0 ? 0 : Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }
}
