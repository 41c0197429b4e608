package dev.genq.api.ratelimit;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code capacity} saved up. Thread-safe.
 * Time is passed in (nanoseconds) so the arithmetic is testable without sleeping.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** @return 0 if a token was taken, else the nanoseconds until one will be available */
    public synchronized long tryTake(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / ratePerNano);
    }

    /** @return 0 if a token is available (none is taken), else the nanoseconds until one will be */
    public synchronized long peek(long nowNanos) {
        refill(nowNanos);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNano);
    }

    private void refill(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
        lastNanos = nowNanos;
    }
}
