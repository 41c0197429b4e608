package dev.genq.worker.model;

import ai.djl.Device;
import dev.genq.worker.WorkerSettings;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.ModelSpec;
import dev.genq.worker.engine.sampler.Samplers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/** Every model package this worker serves, loaded once at start (from a folder or an S3 prefix), by name. */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final WorkerSettings settings;
    private final ModelSource source;
    private final Map<String, LoadedModel> models = new ConcurrentHashMap<>();

    public ModelRegistry(WorkerSettings settings, ObjectStore store) {
        this.settings = settings;
        this.source = new ModelSource(store, Path.of(settings.modelCache()));
    }

    void load(@Observes @Priority(10) StartupEvent ignored) {
        // fail fast instead of downloading anything; one thread for inter-op keeps the 2 cores for intra-op
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(settings.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Device device = "gpu".equalsIgnoreCase(settings.device()) ? Device.gpu() : Device.cpu();
        for (String path : settings.modelPaths()) {
            long t0 = System.nanoTime();
            LoadedModel model = LoadedModel.load(source.resolve(path), device);
            models.put(model.spec().name(), model);
            LOG.infof("loaded model %s (%s, %dx%d) from %s in %.2f s", model.spec().nameAtVersion(),
                    model.spec().kind(), model.spec().resolution(), model.spec().resolution(), path,
                    (System.nanoTime() - t0) / 1e9);
        }
        QuarkusTransaction.requiringNew().run(() -> models.values().forEach(ModelRegistry::register));
        if (!models.containsKey(settings.superResolutionModel())) {
            LOG.warnf("super-resolution model %s is not loaded: full jobs will fail", settings.superResolutionModel());
        }
    }

    /** Tells the gateway, through the catalog, what this worker serves and with which limits. */
    private static void register(LoadedModel model) {
        ModelSpec spec = model.spec();
        ModelEntry.register(spec.name(), spec.version(),
                spec.kind() == ModelSpec.Kind.TEXT_TO_IMAGE ? ModelEntry.TEXT_TO_IMAGE : ModelEntry.SUPER_RESOLUTION,
                spec.resolution(), spec.timesteps(), Samplers.NAMES, spec.defaultSteps(), spec.defaultGuidanceScale(),
                spec.defaultSampler(), spec.license());
    }

    public Optional<LoadedModel> get(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public Optional<LoadedModel> superResolution() {
        return get(settings.superResolutionModel());
    }

    public int size() {
        return models.size();
    }

    @PreDestroy
    void close() {
        models.values().forEach(LoadedModel::close);
    }
}
