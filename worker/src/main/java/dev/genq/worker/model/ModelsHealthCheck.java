package dev.genq.worker.model;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model packages are loaded. */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {
    private final ModelRegistry registry;

    public ModelsHealthCheck(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("models").status(registry.size() > 0).withData("loaded", registry.size()).build();
    }
}
