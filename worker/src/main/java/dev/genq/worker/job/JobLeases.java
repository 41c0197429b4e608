package dev.genq.worker.job;

import dev.genq.storage.job.Job;
import dev.genq.worker.WorkerSettings;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The leases this worker holds on running jobs, renewed every third of the lease time. A worker that
 * dies stops renewing; the gateway's sweeper then puts its jobs back in the queue.
 */
@ApplicationScoped
public class JobLeases {
    private static final Logger LOG = Logger.getLogger(JobLeases.class);

    private final WorkerSettings settings;
    private final String owner;
    private final Set<UUID> held = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService renewer;

    public JobLeases(WorkerSettings settings) {
        this.settings = settings;
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        this.owner = host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    void start(@Observes StartupEvent ignored) {
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "genq-lease-renewer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, settings.lease().toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (renewer != null) {
            renewer.shutdownNow();
        }
    }

    public String owner() {
        return owner;
    }

    /** Takes the job (queued, or running with a lapsed lease) in a new transaction; @return whether it is now ours */
    public boolean acquire(UUID jobId) {
        boolean ours = QuarkusTransaction.requiringNew().call(() -> Job.acquire(jobId, owner, settings.lease()));
        if (ours) {
            held.add(jobId);
        }
        return ours;
    }

    public void release(UUID jobId) {
        held.remove(jobId);
    }

    void renew() {
        if (held.isEmpty()) {
            return;
        }
        List<UUID> ids = List.copyOf(held);
        try {
            // rows locked in id order, as every other multi-row writer of jobs does (BatchProgress): an
            // update over any(?) locks them in scan order, which deadlocked with the progress writes
            QuarkusTransaction.requiringNew().run(() -> Job.getEntityManager().createNativeQuery("""
                    update jobs set lease_until = now() + make_interval(secs => ?1)
                    where id in (select id from jobs where id = any(?2) and lease_owner = ?3 and status = 'running'
                                 order by id for update)""")
                    .setParameter(1, settings.lease().toMillis() / 1000.0).setParameter(2, ids.toArray(new UUID[0]))
                    .setParameter(3, owner).executeUpdate());
        } catch (RuntimeException e) {
            // a missed renewal is retried at the next tick; only a whole lease of them lets the job go
            LOG.warnf("lease renewal for %d jobs failed: %s", ids.size(), e.getMessage());
        }
    }
}
