package dev.genq.worker.model;

import dev.genq.storage.job.Stage;
import ai.djl.Device;
import dev.genq.worker.WorkerSettings;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelRollout;
import dev.genq.storage.model.Rollouts;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.engine.DiffusionEngine;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Every model package this worker serves, loaded once at start (from a folder or an S3 prefix), by name
 * and version. A model may be loaded in two versions during a rollout ({@link ModelRollout}): a job pinned
 * to a version runs exactly that one; an unpinned job runs the model's default, the rollout's stable
 * version when it is loaded, else the one listed last in {@code genq.worker.model-paths}.
 */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final WorkerSettings settings;
    private final ModelSource source;
    private final Rollouts rollouts;
    /** By name@version. */
    private final Map<String, LoadedModel> models = new ConcurrentHashMap<>();
    /** By name: what an unpinned job runs. */
    private final Map<String, LoadedModel> defaults = new ConcurrentHashMap<>();
    /** By path in genq.worker.model-paths: packages whose probe failed or is missing. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private volatile Device device = Device.cpu();
    private volatile DiffusionEngine probeEngine;

    public ModelRegistry(WorkerSettings settings, ObjectStore store, Rollouts rollouts) {
        this.settings = settings;
        this.rollouts = rollouts;
        this.source = new ModelSource(store, Path.of(settings.modelCache()));
    }

    void load(@Observes @Priority(10) StartupEvent ignored) {
        // fail fast instead of downloading anything; one thread for inter-op keeps the 2 cores for intra-op
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(settings.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        device = "gpu".equalsIgnoreCase(settings.device()) ? Device.gpu() : Device.cpu();
        probeEngine = new DiffusionEngine(settings.forwardRows(), settings.srForwardRows());
        for (String path : settings.modelPaths()) {
            long t0 = System.nanoTime();
            Path dir = source.resolve(path);
            LoadedModel model = LoadedModel.load(dir, device);
            String refusal = probe(model, dir, probeEngine);
            if (refusal != null) {
                model.close();
                refused.put(path, refusal);
                LOG.errorf("model package %s is not served: %s", path, refusal);
                continue;
            }
            if (models.putIfAbsent(model.spec().nameAtVersion(), model) != null) {
                model.close();
                throw new IllegalStateException("model " + model.spec().nameAtVersion() + " is listed twice in genq.worker.model-paths");
            }
            defaults.put(model.spec().name(), model);
            LOG.infof("loaded model %s (%s, sizes %s) from %s in %.2f s", model.spec().nameAtVersion(),
                    model.spec().kind(), model.spec().sizes(), path,
                    (System.nanoTime() - t0) / 1e9);
        }
        ModelRollout rollout = rollouts.current(); // at start: unpinned jobs are rare (the gateway pins what the rollout names)
        for (String name : defaults.keySet()) {
            rollout.stableVersion(name).ifPresent(stable -> {
                LoadedModel m = models.get(name + "@" + stable);
                if (m != null) {
                    defaults.put(name, m);
                } else {
                    LOG.warnf("the rollout's stable version %s@%s is not loaded; unpinned jobs run %s", name, stable,
                            defaults.get(name).spec().nameAtVersion());
                }
            });
        }
        QuarkusTransaction.requiringNew().run(() -> models.values().forEach(ModelRegistry::register));
        if (!defaults.containsKey(settings.superResolutionModel())) {
            LOG.warnf("super-resolution model %s is not loaded: full jobs will fail", settings.superResolutionModel());
        }
    }

    /** @return why the package must not be served, or null: its golden probe passed, or it may go without one */
    private String probe(LoadedModel model, Path dir, DiffusionEngine engine) {
        if (PackageProbe.read(dir).isEmpty()) {
            boolean allowed = settings.unprobedPackages().orElse(List.of()).contains(model.spec().name());
            return allowed ? null : model.spec().nameAtVersion() + " ships no " + PackageProbe.FILE
                    + "; add one (models/README.md) or list the package in genq.worker.unprobed-packages";
        }
        PackageProbe.Result result = PackageProbe.check(model, dir, engine);
        if (result.passed()) {
            LOG.infof("%s", result.message());
            return null;
        }
        return result.message();
    }

    /**
     * Loads a package registered at run time ({@code s3://bucket/prefix#sha256=...}, every file checked against
     * model.json's list) and runs its golden probe, which such a package must ship: the caller adds it when this
     * returns. Runs on the caller's thread (the package poller's, never a job's).
     *
     * @throws dev.genq.worker.engine.ModelPackageException why it must not be served
     */
    public LoadedModel loadRegistered(String location) {
        Path dir = source.resolve(location);
        LoadedModel model = LoadedModel.load(dir, device);
        if (PackageProbe.read(dir).isEmpty()) {
            model.close();
            throw new dev.genq.worker.engine.ModelPackageException(dir, model.spec().nameAtVersion() + " ships no "
                    + PackageProbe.FILE + "; a package registered at run time must bring its golden probe");
        }
        PackageProbe.Result result = PackageProbe.check(model, dir, probeEngine);
        if (!result.passed()) {
            model.close();
            throw new dev.genq.worker.engine.ModelPackageException(dir, result.message());
        }
        return model;
    }

    /**
     * Serves a loaded package from now on and writes its catalog entry, marked as the registered package's (the
     * gateway routes it once every live worker loaded it). A model that had no version here gets it as its default.
     *
     * @throws IllegalStateException if this version is served here already (closing the new copy is the caller's)
     */
    public synchronized void add(LoadedModel model, java.util.UUID packageId) {
        ModelSpec spec = model.spec();
        if (models.putIfAbsent(spec.nameAtVersion(), model) != null) {
            throw new IllegalStateException(spec.nameAtVersion() + " is served by this worker already");
        }
        defaults.putIfAbsent(spec.name(), model);
        QuarkusTransaction.requiringNew().run(() -> {
            register(model);
            dev.genq.storage.model.ModelPackages.markCatalogEntry(spec.name(), spec.version(), packageId);
        });
        LOG.infof("loaded registered package %s (%s, sizes %s)", spec.nameAtVersion(), spec.kind(), spec.sizes());
    }

    /** Stops serving a version and frees it; the caller made sure no job still needs it. */
    public synchronized void unload(String nameAtVersion) {
        LoadedModel model = models.remove(nameAtVersion);
        if (model == null) {
            return;
        }
        String name = model.spec().name();
        if (defaults.get(name) == model) {
            models.values().stream().filter(m -> m.spec().name().equals(name)).findFirst()
                    .ifPresentOrElse(other -> defaults.put(name, other), () -> defaults.remove(name));
        }
        model.close();
        LOG.infof("unloaded %s", nameAtVersion);
    }

    /** Packages refused at load (by path), with the reason: readiness is DOWN while there is one. */
    public Map<String, String> refused() {
        return Map.copyOf(refused);
    }

    /** Tells the gateway, through the catalog, what this worker serves and with which limits. */
    private static void register(LoadedModel model) {
        ModelSpec spec = model.spec();
        ModelEntry.register(spec.name(), spec.version(),
                spec.kind().modelKind(),
                spec.resolution(), spec.maxSteps(), Samplers.NAMES, spec.defaultSteps(), spec.defaultGuidanceScale(),
                spec.defaultSampler(), spec.license(), model.takesImageInputs(), spec.sizes());
    }

    /** The model's default version (what an unpinned job runs). */
    public Optional<LoadedModel> get(String name) {
        return Optional.ofNullable(defaults.get(name));
    }

    /** Exactly {@code version} of the model, or its default when {@code version} is null. */
    public Optional<LoadedModel> get(String name, String version) {
        return version == null ? get(name) : Optional.ofNullable(models.get(name + "@" + version));
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
