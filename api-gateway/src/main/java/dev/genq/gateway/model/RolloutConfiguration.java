package dev.genq.gateway.model;

import dev.genq.storage.model.Rollouts;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Seeds the rollout in Postgres from {@code genq.rollout.*} at the gateway's start, where the configuration
 * changed since it last did ({@link Rollouts#applyConfiguration}); a malformed one stops the gateway.
 */
@ApplicationScoped
public class RolloutConfiguration {
    private final Rollouts rollouts;
    private final Rollouts.Settings settings;

    public RolloutConfiguration(Rollouts rollouts, Rollouts.Settings settings) {
        this.rollouts = rollouts;
        this.settings = settings;
    }

    void onStart(@Observes StartupEvent ignored) {
        rollouts.applyConfiguration(settings);
    }
}
