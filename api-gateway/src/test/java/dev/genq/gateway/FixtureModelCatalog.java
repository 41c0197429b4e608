package dev.genq.gateway;

import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Registers models in the catalog as a worker would at its start (the gateway tests run no worker):
 * the fixture packages, and a deliberately limited model to test per-model validation.
 */
@ApplicationScoped
public class FixtureModelCatalog {
    public static final String LIMITED = "test-limited";

    void register(@Observes StartupEvent ignored) {
        QuarkusTransaction.requiringNew().run(() -> {
            ModelEntry.register("tiny-base", "1", Stage.BASE.modelKind(), 32, 1000, List.of("ddim", "ddpm", "dpmpp_2m"),
                    20, 3.0, "ddim", "Apache-2.0");
            ModelEntry.register("tiny-sr", "1", Stage.SUPER_RESOLUTION.modelKind(), 128, 1000, List.of("ddim", "ddpm", "dpmpp_2m"),
                    10, 1.0, "ddim", "Apache-2.0");
            ModelEntry.register(LIMITED, "1", Stage.BASE.modelKind(), 32, 50, List.of("ddim"), 10, 2.0, "ddim", "");
        });
    }
}
