package dev.genq.gateway.webhook;

import dev.genq.storage.tenant.Tenant;
import dev.genq.storage.webhook.WebhookSecret;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A tenant's signing secrets: created on first use, rotated on request with a grace period for the old one. */
@ApplicationScoped
public class WebhookSecrets {
    private final WebhookSettings settings;

    public WebhookSecrets(WebhookSettings settings) {
        this.settings = settings;
    }

    /** The live secrets, newest first; creates the tenant's first secret if it has none. */
    @Transactional
    public List<WebhookSecret> live(UUID tenantId) {
        List<WebhookSecret> live = WebhookSecret.live(tenantId);
        if (!live.isEmpty()) {
            return live;
        }
        Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE); // one first secret even under concurrent calls
        live = WebhookSecret.live(tenantId);
        return live.isEmpty() ? List.of(create(tenantId)) : live;
    }

    /** A new secret signs from now on; the current one keeps signing for the grace period. */
    @Transactional
    public List<WebhookSecret> rotate(UUID tenantId) {
        Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
        OffsetDateTime graceEnd = OffsetDateTime.now().plus(settings.secretGracePeriod());
        for (WebhookSecret old : WebhookSecret.live(tenantId)) {
            if (old.expiresAt == null || old.expiresAt.isAfter(graceEnd)) {
                old.expiresAt = graceEnd;
            }
        }
        create(tenantId);
        return WebhookSecret.live(tenantId);
    }

    private static WebhookSecret create(UUID tenantId) {
        WebhookSecret s = new WebhookSecret();
        s.tenantId = tenantId;
        s.secret = WebhookSigner.newSecret();
        s.persistAndFlush();
        WebhookSecret.getEntityManager().refresh(s);
        return s;
    }
}
