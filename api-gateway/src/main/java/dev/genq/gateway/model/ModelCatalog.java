package dev.genq.gateway.model;

import dev.genq.storage.job.ImageSize;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelPackages;
import dev.genq.storage.sql.PeriodicSnapshot;
import java.time.Duration;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The models the workers registered, read from Postgres at most every two seconds: submit validation
 * must not cost a query, and a newly registered model is accepted within seconds. A model served in
 * several versions (a rollout) is validated against its most recently registered one. A version a package registered at
 * run time brought is listed only while every live worker serves it (POST /v1/admin/models).
 */
@ApplicationScoped
public class ModelCatalog {
    private record Snapshot(Map<String, ModelEntry> latest, Set<String> versions, List<ModelEntry> all) {
    }

    private final PeriodicSnapshot<Snapshot> snapshot = new PeriodicSnapshot<>(Duration.ofSeconds(2), ModelCatalog::read);

    public Optional<ModelEntry> find(String name) {
        return Optional.ofNullable(current().latest().get(name));
    }

    /** Whether some worker registered this version of the model. */
    public boolean serves(String name, String version) {
        return current().versions().contains(name + "@" + version);
    }

    /** Names of the models of a kind, sorted, for error messages. */
    public List<String> names(String kind) {
        return current().latest().values().stream().filter(e -> e.kind.equals(kind)).map(e -> e.name).sorted().toList();
    }

    /**
     * Whether every registered version of the model may start a job from an image: a job is pinned to the rollout's
     * stable or canary version, not necessarily the latest, so one latent version refuses image inputs for all.
     */
    public boolean takesImageInputs(String name) {
        return all().stream().filter(e -> e.name.equals(name)).allMatch(e -> e.imageInputs);
    }

    /**
     * The sizes a job of this model may ask for: those every registered version draws (a job is pinned to the
     * rollout's stable or canary version, not necessarily the latest), in the latest version's order.
     */
    public List<ImageSize> sizes(String name) {
        List<ModelEntry> versions = all().stream().filter(e -> e.name.equals(name)).toList();
        if (versions.isEmpty()) {
            return List.of();
        }
        List<ImageSize> sizes = new java.util.ArrayList<>(versions.get(versions.size() - 1).sizeList());
        versions.forEach(v -> sizes.retainAll(v.sizeList()));
        return List.copyOf(sizes);
    }

    /** Every registered version, oldest registration first. */
    public List<ModelEntry> all() {
        return current().all();
    }

    /** One model's registered versions, oldest registration first, or 404 model_not_found. */
    public List<ModelEntry> versions(String name) {
        List<ModelEntry> versions = all().stream().filter(e -> e.name.equals(name)).toList();
        if (versions.isEmpty()) {
            throw ProblemException.notFound("model_not_found", "no worker has registered a model named '" + name + "'");
        }
        return versions;
    }

    private Snapshot current() {
        return snapshot.get();
    }

    private static Snapshot read() {
        // a version from a package registered at run time only once every live worker loaded it (ModelPackages)
        @SuppressWarnings("unchecked")
        List<ModelEntry> all = QuarkusTransaction.requiringNew().call(() -> (List<ModelEntry>) ModelEntry.getEntityManager()
                .createNativeQuery("select m.* from models m where " + ModelPackages.ROUTABLE
                        + " order by m.registered_at, m.version", ModelEntry.class).getResultList());
        return new Snapshot(
                all.stream().collect(Collectors.toUnmodifiableMap(e -> e.name, Function.identity(), (older, newer) -> newer)),
                all.stream().map(e -> e.name + "@" + e.version).collect(Collectors.toUnmodifiableSet()),
                List.copyOf(all));
    }
}
