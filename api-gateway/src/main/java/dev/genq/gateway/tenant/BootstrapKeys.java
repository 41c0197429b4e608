package dev.genq.gateway.tenant;

import dev.genq.api.auth.ApiKeyIdentityProvider;
import dev.genq.api.auth.Roles;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keys an operator chose (environment variables GENQ_AUTH_BOOTSTRAP_ADMIN_KEY and ..._CLIENT_KEY) are
 * registered, by hash, for the default tenant at start: the way to get a first admin key onto a new
 * deployment without a database shell. A bootstrap key taken out of the configuration is revoked at the next
 * start; the public example keys of docker-compose.yml are refused unless explicitly allowed. Generate one with {@code echo gq_$(openssl rand -base64 30 | tr '+/' '-_')}.
 */
@ApplicationScoped
public class BootstrapKeys {
    private static final Logger LOG = Logger.getLogger(BootstrapKeys.class);

    @ConfigMapping(prefix = "genq.auth.bootstrap")
    public interface Settings {
        Optional<String> adminKey();

        Optional<String> clientKey();

        Optional<String> reviewerKey();

        /**
         * Whether the example keys printed in docker-compose.yml (they contain NOT-FOR-PRODUCTION) may be
         * registered. Off unless a local run says otherwise: those keys are public.
         */
        @io.smallrye.config.WithDefault("false")
        boolean allowExampleKeys();
    }

    /** The names bootstrap keys are registered under (a key an admin created is never revoked here). */
    static final List<String> NAMES = List.of("bootstrap admin", "bootstrap client", "bootstrap reviewer");

    /** The marker of the example keys everyone can read in the repository. */
    static final String EXAMPLE_KEY_MARKER = "NOT-FOR-PRODUCTION";

    private final Settings settings;
    private final ApiKeyIdentityProvider identities;

    public BootstrapKeys(Settings settings, ApiKeyIdentityProvider identities) {
        this.settings = settings;
        this.identities = identities;
    }

    void onStart(@Observes StartupEvent ignored) {
        reconcile();
    }

    /**
     * Registers the configured keys and revokes every bootstrap key that is no longer configured, so removing
     * a key from the configuration (or rotating it) and restarting takes the old one out of service.
     */
    void reconcile() {
        register(settings.adminKey(), "bootstrap admin", Roles.ADMIN);
        register(settings.clientKey(), "bootstrap client", Roles.CLIENT);
        register(settings.reviewerKey(), "bootstrap reviewer", Roles.REVIEWER);
        List<String> configured = Stream.of(settings.adminKey(), settings.clientKey(), settings.reviewerKey())
                .flatMap(Optional::stream).filter(k -> !k.isBlank()).map(ApiKey::hash).toList();
        List<String> kept = configured.isEmpty() ? List.of("-") : configured; // "-" is no hash: nothing is kept
        @SuppressWarnings("unchecked")
        List<UUID> revoked = QuarkusTransaction.requiringNew().call(() -> ApiKey.getEntityManager().createNativeQuery("""
                update api_keys set revoked_at = now()
                where tenant_id = ?1 and name in (?3) and revoked_at is null and key_hash not in (?2)
                returning id""").setParameter(1, Tenant.DEFAULT_ID).setParameter(2, kept)
                .setParameter(3, NAMES).getResultList());
        revoked.forEach(identities::evict);
        if (!revoked.isEmpty()) {
            LOG.infof("revoked %d bootstrap key(s) no longer in the configuration", revoked.size());
        }
    }

    private void register(Optional<String> raw, String name, String role) {
        if (raw.isEmpty() || raw.get().isBlank()) {
            return;
        }
        if (raw.get().contains(EXAMPLE_KEY_MARKER) && !settings.allowExampleKeys()) {
            throw new IllegalStateException("the configured " + name + " key is docker-compose.yml's public example key; "
                    + "set your own (GENQ_AUTH_BOOTSTRAP_*_KEY), or genq.auth.bootstrap.allow-example-keys=true on a "
                    + "machine only you can reach");
        }
        if (!ApiKey.wellFormed(raw.get())) {
            throw new IllegalStateException("the configured " + name + " key is not a genq key (gq_ and at least 29 "
                    + "more letters, digits, '-' or '_')"); // the value itself is never printed
        }
        boolean created = QuarkusTransaction.requiringNew().call(() -> {
            // gateways started together (replicas, the chaos soak) would each see no key and insert it: the
            // second insert broke the unique hash and stopped that gateway. One at a time, for this transaction.
            ApiKey.getEntityManager().createNativeQuery("select pg_advisory_xact_lock(hashtext('genq-bootstrap-keys'))")
                    .getSingleResult();
            if (ApiKey.count("keyHash", ApiKey.hash(raw.get())) > 0) {
                if (ApiKey.count("keyHash = ?1 and revokedAt is not null", ApiKey.hash(raw.get())) > 0) {
                    LOG.warnf("the configured %s key was revoked and stays revoked; configure a new one", name);
                }
                return false;
            }
            ApiKey.create(Tenant.DEFAULT_ID, name, Set.of(role), raw.get(), null);
            return true;
        });
        if (created) {
            LOG.infof("registered the %s key from configuration", name);
        }
    }
}
