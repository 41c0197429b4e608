package dev.genq.gateway.dispatch;

import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.Priority;
import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The jobs of a mode published and not yet through the pipeline, counted once per dispatch pass: in all, in the bulk
 * lane, and per tenant (for {@link InFlightShares}).
 */
record InFlight(int total, int bulk, Map<UUID, Integer> perTenant) {

    @SuppressWarnings("unchecked")
    static InFlight read(EntityManager em, JobMode mode) {
        List<Object[]> rows = em.createNativeQuery("""
                select tenant_id, priority, count(*) from jobs
                where mode = ?1 and status in ('queued', 'running', 'moderating') and dispatched_at is not null
                group by tenant_id, priority""").setParameter(1, mode.wire()).getResultList();
        int total = 0;
        int bulk = 0;
        Map<UUID, Integer> perTenant = new HashMap<>();
        for (Object[] r : rows) {
            int n = ((Number) r[2]).intValue();
            total += n;
            if (Priority.BULK.wire().equals(r[1])) {
                bulk += n;
            }
            perTenant.merge((UUID) r[0], n, Integer::sum);
        }
        return new InFlight(total, bulk, perTenant);
    }
}
