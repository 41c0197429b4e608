package dev.genq.gateway.tenant;

import dev.genq.api.auth.Roles;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keys an operator chose (environment variables GENQ_AUTH_BOOTSTRAP_ADMIN_KEY and ..._CLIENT_KEY) are
 * registered, by hash, for the default tenant at start: the way to get a first admin key onto a new
 * deployment without a database shell. Generate one with {@code echo gq_$(openssl rand -base64 30 | tr '+/' '-_')}.
 */
@ApplicationScoped
public class BootstrapKeys {
    private static final Logger LOG = Logger.getLogger(BootstrapKeys.class);

    @ConfigMapping(prefix = "genq.auth.bootstrap")
    public interface Settings {
        Optional<String> adminKey();

        Optional<String> clientKey();

        Optional<String> reviewerKey();
    }

    private final Settings settings;

    public BootstrapKeys(Settings settings) {
        this.settings = settings;
    }

    void register(@Observes StartupEvent ignored) {
        register(settings.adminKey(), "bootstrap admin", Roles.ADMIN);
        register(settings.clientKey(), "bootstrap client", Roles.CLIENT);
        register(settings.reviewerKey(), "bootstrap reviewer", Roles.REVIEWER);
    }

    private void register(Optional<String> raw, String name, String role) {
        if (raw.isEmpty() || raw.get().isBlank()) {
            return;
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
