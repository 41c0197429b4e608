package dev.genq.worker.model;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the model packages are loaded and every listed package passed its golden probe: a package
 * that failed (or ships none and is not allowed to) keeps the worker DOWN, with the package and the
 * measured difference in the check's data.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {
    private final ModelRegistry registry;

    public ModelsHealthCheck(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("models").status(registry.size() > 0 && registry.refused().isEmpty())
                .withData("loaded", registry.size());
        registry.refused().forEach((path, why) -> response.withData("refused " + path, why));
        return response.build();
    }
}
