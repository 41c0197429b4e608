package dev.genq.gateway.webhook;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.tenant.Tenant;
import dev.genq.storage.webhook.WebhookSecret;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A tenant's signing secrets: created on first use, rotated on request with a grace period for the old one,
 * at most {@code max-live-secrets} at once. They are stored sealed ({@link SecretSealer}) and opened only here.
 */
@ApplicationScoped
public class WebhookSecrets {
    private static final Logger LOG = Logger.getLogger(WebhookSecrets.class);

    private final WebhookSettings settings;
    private final SecretSealer sealer;

    public WebhookSecrets(WebhookSettings settings, @org.eclipse.microprofile.config.inject.ConfigProperty(
            name = "genq.auth.bootstrap.allow-example-keys", defaultValue = "false") boolean allowExampleKeys) {
        this.settings = settings;
        // no key, or compose's public one outside a local machine: the gateway does not start
        this.sealer = SecretSealer.of(settings.secretKeys().orElse(null), allowExampleKeys);
    }

    /** A secret as it signs: opened. */
    public record LiveSecret(String secret, OffsetDateTime createdAt, OffsetDateTime expiresAt) {
    }

    /**
     * Seals what is not sealed under the current key yet: rows from before sealing, or under a key that was
     * rotated out of first place. Runs at start, so a gateway that lacks a key the rows need fails there.
     */
    void sealAtStart(@Observes StartupEvent start) {
        int resealed = QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            // only the rows that need it: a start reads nothing when every secret is sealed under the current key
            for (WebhookSecret s : WebhookSecret.<WebhookSecret>list("secret not like ?1 order by id", sealer.currentPrefix() + "%")) {
                if (sealer.needsResealing(s.secret)) {
                    String plain = s.secret.startsWith(SecretSealer.PREFIX) ? sealer.open(s.tenantId, s.secret) : s.secret;
                    s.secret = sealer.seal(s.tenantId, plain);
                    n++;
                }
            }
            return n;
        });
        if (resealed > 0) {
            LOG.infof("webhook secrets: %d sealed under the current key", resealed);
        }
    }

    /** The live secrets, newest first; creates the tenant's first secret if it has none. */
    @Transactional
    public List<LiveSecret> live(UUID tenantId) {
        List<WebhookSecret> live = WebhookSecret.live(tenantId);
        if (live.isEmpty()) {
            Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE); // one first secret even under concurrent calls
            live = WebhookSecret.live(tenantId);
            if (live.isEmpty()) {
                live = List.of(create(tenantId));
            }
        }
        return open(live);
    }

    /**
     * A new secret signs from now on; the current one keeps signing for the grace period. Each live secret
     * signs every delivery, so their number is capped: at the cap, 429 until the oldest one expires.
     */
    @Transactional
    public List<LiveSecret> rotate(UUID tenantId) {
        Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
        List<WebhookSecret> live = WebhookSecret.live(tenantId);
        if (live.size() >= settings.maxLiveSecrets()) {
            OffsetDateTime firstExpiry = live.stream().map(s -> s.expiresAt).filter(java.util.Objects::nonNull)
                    .min(OffsetDateTime::compareTo).orElse(OffsetDateTime.now());
            throw ProblemException.tooManyRequests("secret_rotation_limit", settings.maxLiveSecrets()
                    + " secrets are live (each signs every delivery); rotate again when the oldest expires, at " + firstExpiry,
                    Duration.between(OffsetDateTime.now(), firstExpiry).toSeconds() + 1);
        }
        OffsetDateTime graceEnd = OffsetDateTime.now().plus(settings.secretGracePeriod());
        for (WebhookSecret old : live) {
            if (old.expiresAt == null || old.expiresAt.isAfter(graceEnd)) {
                old.expiresAt = graceEnd;
            }
        }
        create(tenantId);
        return open(WebhookSecret.live(tenantId));
    }

    @io.quarkus.scheduler.Scheduled(every = "PT1H", delayed = "PT1M",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        try {
            purgeExpired(1_000);
        } catch (RuntimeException e) {
            LOG.warnf("expired webhook secrets not deleted (%s); tried again in an hour", e.getMessage());
        }
    }

    /** Deletes up to {@code limit} secrets past their grace period (they sign nothing any more). @return how many */
    @Transactional
    public int purgeExpired(int limit) {
        return WebhookSecret.getEntityManager().createNativeQuery("""
                delete from webhook_secrets where id in (
                    select id from webhook_secrets where expires_at <= now() order by expires_at limit ?1)""")
                .setParameter(1, limit).executeUpdate();
    }

    private List<LiveSecret> open(List<WebhookSecret> rows) {
        return rows.stream().map(s -> new LiveSecret(sealer.open(s.tenantId, s.secret), s.createdAt, s.expiresAt)).toList();
    }

    private WebhookSecret create(UUID tenantId) {
        WebhookSecret s = new WebhookSecret();
        s.tenantId = tenantId;
        s.secret = sealer.seal(tenantId, WebhookSigner.newSecret());
        s.persistAndFlush();
        WebhookSecret.getEntityManager().refresh(s);
        return s;
    }
}
