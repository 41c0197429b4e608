package dev.genq.gateway.model;

import dev.genq.storage.model.ModelEntry;
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
 * several versions (a rollout) is validated against its most recently registered one.
 */
@ApplicationScoped
public class ModelCatalog {
    private static final long MAX_AGE_NANOS = 2_000_000_000L;

    private record Snapshot(Map<String, ModelEntry> latest, Set<String> versions, List<ModelEntry> all) {
    }

    private volatile Snapshot snapshot = new Snapshot(Map.of(), Set.of(), List.of());
    private volatile boolean loaded;
    private volatile long loadedAt;

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

    /** Every registered version, oldest registration first. */
    public List<ModelEntry> all() {
        return current().all();
    }

    private Snapshot current() {
        if (!loaded || System.nanoTime() - loadedAt > MAX_AGE_NANOS) {
            synchronized (this) {
                if (!loaded || System.nanoTime() - loadedAt > MAX_AGE_NANOS) {
                    List<ModelEntry> all = QuarkusTransaction.requiringNew().call(() ->
                            ModelEntry.<ModelEntry>list("order by registeredAt, version"));
                    snapshot = new Snapshot(
                            all.stream().collect(Collectors.toUnmodifiableMap(e -> e.name, Function.identity(), (older, newer) -> newer)),
                            all.stream().map(e -> e.name + "@" + e.version).collect(Collectors.toUnmodifiableSet()),
                            List.copyOf(all));
                    loadedAt = System.nanoTime();
                    loaded = true;
                }
            }
        }
        return snapshot;
    }
}
