package dev.genq.gateway.dispatch;

import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Each active tenant's share of the dispatch depth: depth × its weight / the active tenants' weights, rounded down
 * but at least 1 (active: jobs of the mode in flight, or among the next waiting ones); the places the rounding leaves
 * go in fair-queuing order (FairDispatcher), so over time each tenant holds its exact share. Rounded up, the shares
 * added up to more than the depth and the rounding picked the winner: weights 2:1 over 16 places held 10:6. A tenant at its share is passed over, so when
 * a second tenant shows up behind a first one's backlog, the places the first one's jobs free go to the newcomer
 * until both hold their share, instead of every other one: the newcomer waits behind half the depth, not all of it.
 * A tenant alone has the whole depth.
 */
final class InFlightShares {
    private final Map<UUID, Integer> inFlight;
    private final Map<UUID, Integer> caps = new HashMap<>();

    private InFlightShares(Map<UUID, Integer> inFlight) {
        this.inFlight = inFlight;
    }

    @SuppressWarnings("unchecked")
    static InFlightShares read(EntityManager em, InFlight now, int depth, List<FairDispatcher.Pick> interactive,
                               List<FairDispatcher.Pick> bulk) {
        Map<UUID, Integer> inFlight = new HashMap<>(now.perTenant()); // taken picks count on in this copy
        Set<UUID> active = new HashSet<>(inFlight.keySet());
        interactive.forEach(p -> active.add(p.tenantId()));
        bulk.forEach(p -> active.add(p.tenantId()));
        InFlightShares shares = new InFlightShares(inFlight);
        if (active.isEmpty()) {
            return shares;
        }
        Map<UUID, Double> weights = new HashMap<>();
        List<Object[]> w = em.createNativeQuery("select id, weight from tenants where id = any(?1)")
                .setParameter(1, active.toArray(new UUID[0])).getResultList();
        w.forEach(r -> weights.put((UUID) r[0], ((Number) r[1]).doubleValue()));
        double total = active.stream().mapToDouble(t -> weights.getOrDefault(t, 1.0)).sum();
        for (UUID t : active) {
            shares.caps.put(t, Math.max(1, (int) Math.floor(depth * weights.getOrDefault(t, 1.0) / total)));
        }
        return shares;
    }

    /** The index of the first pick from {@code from} on whose tenant is under its share; {@code picks.size()} if none. */
    int nextAllowed(List<FairDispatcher.Pick> picks, int from) {
        int i = from;
        while (i < picks.size() && inFlight.getOrDefault(picks.get(i).tenantId(), 0) >= caps.getOrDefault(picks.get(i).tenantId(), Integer.MAX_VALUE)) {
            i++;
        }
        return i;
    }

    void take(UUID tenant) {
        inFlight.merge(tenant, 1, Integer::sum);
    }
}
