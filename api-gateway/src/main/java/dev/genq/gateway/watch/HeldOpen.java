package dev.genq.gateway.watch;

import dev.genq.api.auth.Caller;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts one kind of thing clients hold open on this gateway (waits, or streams) per key, per tenant and in
 * all, and refuses one more past any cap; so one tenant's many held requests never take the gateway's
 * capacity from the others.
 */
public final class HeldOpen {

    /** One held thing; releasing it twice releases it once. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    private final int perKey;
    private final int perTenant;
    private final int perGateway;
    private final Map<UUID, Integer> byKey = new HashMap<>();
    private final Map<UUID, Integer> byTenant = new HashMap<>();
    private int total;

    public HeldOpen(int perKey, int perTenant, int perGateway) {
        this.perKey = perKey;
        this.perTenant = perTenant;
        this.perGateway = perGateway;
    }

    /** @return a hold, or empty when the caller's key, its tenant or this gateway is at its cap */
    public synchronized Optional<Hold> tryHold(Caller caller) {
        if (total >= perGateway || byKey.getOrDefault(caller.keyId(), 0) >= perKey
                || byTenant.getOrDefault(caller.tenantId(), 0) >= perTenant) {
            return Optional.empty();
        }
        total++;
        byKey.merge(caller.keyId(), 1, Integer::sum);
        byTenant.merge(caller.tenantId(), 1, Integer::sum);
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                release(caller);
            }
        });
    }

    private synchronized void release(Caller caller) {
        total--;
        byKey.computeIfPresent(caller.keyId(), (k, n) -> n == 1 ? null : n - 1);
        byTenant.computeIfPresent(caller.tenantId(), (k, n) -> n == 1 ? null : n - 1);
    }

    public synchronized int total() {
        return total;
    }
}
