package dev.genq.storage.model;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Model packages registered at run time and what each worker made of them (V32). The gateway writes registrations;
 * workers write their heartbeats and load reports; a package's version is routable once every live worker (a
 * heartbeat within {@link #LIVE}) reports it loaded. Every method runs in the caller's transaction.
 */
public final class ModelPackages {
    /** A worker whose heartbeat is older than this is not counted as live. */
    public static final Duration LIVE = Duration.ofSeconds(15);

    public enum LoadStatus {
        LOADING, LOADED, REFUSED, UNLOADED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One registration, as workers read it. */
    public record Package(UUID id, String source, boolean unregistered) {
    }

    /** One worker's report on a package. */
    public record Load(String worker, String status, String model, String detail, OffsetDateTime updatedAt, boolean live) {
    }

    /** A registration with its reports, newest first when listed. */
    public record Registration(UUID id, String source, String reason, UUID requestedBy, OffsetDateTime registeredAt,
                               OffsetDateTime unregisteredAt, boolean routable, List<Load> loads) {
    }

    private ModelPackages() {
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    public static UUID register(String source, String reason, UUID requestedBy) {
        UUID id = UUID.randomUUID();
        em().createNativeQuery("insert into model_packages (id, source, reason, requested_by) values (?1, ?2, ?3, ?4)")
                .setParameter(1, id).setParameter(2, source).setParameter(3, reason).setParameter(4, requestedBy)
                .executeUpdate();
        return id;
    }

    /** @return whether it was registered and is now unregistered (false: unknown, or unregistered before) */
    public static boolean unregister(UUID id) {
        return em().createNativeQuery("update model_packages set unregistered_at = now() where id = ?1 and unregistered_at is null")
                .setParameter(1, id).executeUpdate() == 1;
    }

    /** Every registration a worker must act on: those to load, and the unregistered ones it may still hold. */
    @SuppressWarnings("unchecked")
    public static List<Package> all() {
        List<Object[]> rows = em().createNativeQuery(
                "select id, source, unregistered_at is not null from model_packages order by registered_at, id").getResultList();
        return rows.stream().map(r -> new Package((UUID) r[0], (String) r[1], (Boolean) r[2])).toList();
    }

    public static void report(UUID packageId, String worker, LoadStatus status, String model, String detail) {
        em().createNativeQuery("""
                insert into model_package_loads (package_id, worker, status, model, detail) values (?1, ?2, ?3, ?4, ?5)
                on conflict (package_id, worker) do update set status = excluded.status,
                    model = coalesce(excluded.model, model_package_loads.model), detail = excluded.detail, updated_at = now()""")
                .setParameter(1, packageId).setParameter(2, worker).setParameter(3, status.wire()).setParameter(4, model)
                .setParameter(5, detail == null ? null : detail.length() > 2000 ? detail.substring(0, 2000) : detail)
                .executeUpdate();
    }

    public static void heartbeat(String worker) {
        em().createNativeQuery("""
                insert into worker_heartbeats (worker, seen_at) values (?1, now())
                on conflict (worker) do update set seen_at = now()""").setParameter(1, worker).executeUpdate();
    }

    /** Marks a catalog entry as one a registered package brought (so the gateway routes it only when routable). */
    public static void markCatalogEntry(String name, String version, UUID packageId) {
        em().createNativeQuery("update models set package_id = ?3 where name = ?1 and version = ?2")
                .setParameter(1, name).setParameter(2, version).setParameter(3, packageId).executeUpdate();
    }

    /**
     * The SQL condition, on a {@code models} row aliased {@code m}, that its version may be routed: it came from a
     * worker's configuration, or from a package not unregistered that some worker loaded and every live worker loaded.
     */
    public static final String ROUTABLE = """
            (m.package_id is null or exists (
                select 1 from model_packages p where p.id = m.package_id and p.unregistered_at is null
                  and exists (select 1 from model_package_loads l where l.package_id = p.id and l.status = 'loaded')
                  and not exists (
                      select 1 from worker_heartbeats w
                      where w.seen_at > now() - make_interval(secs => %d)
                        and not exists (select 1 from model_package_loads l where l.package_id = p.id
                                          and l.worker = w.worker and l.status = 'loaded'))))"""
            .formatted(LIVE.toSeconds());

    /** The newest registrations (or the one {@code only}), each with whether it is routed and its reports: two reads. */
    @SuppressWarnings("unchecked")
    public static List<Registration> registrations(UUID only, int limit) {
        var query = em().createNativeQuery("select p.id, p.source, p.reason, p.requested_by, p.registered_at, p.unregistered_at, "
                + "exists (select 1 from models m where m.package_id = p.id and " + ROUTABLE + ") from model_packages p"
                + (only == null ? "" : " where p.id = ?1") + " order by p.registered_at desc, p.id limit " + Math.max(1, limit));
        if (only != null) {
            query.setParameter(1, only);
        }
        List<Object[]> rows = query.getResultList();
        Map<UUID, List<Load>> loads = loads(rows.stream().map(r -> (UUID) r[0]).toList());
        return rows.stream().map(r -> new Registration((UUID) r[0], (String) r[1], (String) r[2], (UUID) r[3],
                time(r[4]), time(r[5]), (Boolean) r[6], loads.getOrDefault((UUID) r[0], List.of()))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<UUID, List<Load>> loads(List<UUID> packageIds) {
        if (packageIds.isEmpty()) {
            return Map.of();
        }
        List<Object[]> rows = em().createNativeQuery("""
                select l.package_id, l.worker, l.status, l.model, l.detail, l.updated_at,
                       coalesce(w.seen_at > now() - make_interval(secs => ?2), false)
                from model_package_loads l left join worker_heartbeats w on w.worker = l.worker
                where l.package_id in (?1) order by l.worker""")
                .setParameter(1, packageIds).setParameter(2, (int) LIVE.toSeconds()).getResultList();
        Map<UUID, List<Load>> byPackage = new java.util.HashMap<>();
        for (Object[] r : rows) {
            byPackage.computeIfAbsent((UUID) r[0], k -> new java.util.ArrayList<>()).add(new Load((String) r[1],
                    (String) r[2], (String) r[3], (String) r[4], time(r[5]), (Boolean) r[6]));
        }
        return byPackage;
    }

    private static OffsetDateTime time(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof java.time.Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        return ((java.sql.Timestamp) value).toInstant().atOffset(java.time.ZoneOffset.UTC);
    }
}
