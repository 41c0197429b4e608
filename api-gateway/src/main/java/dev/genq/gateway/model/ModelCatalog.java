package dev.genq.gateway.model;

import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The models the workers registered, read from Postgres at most every two seconds: submit validation
 * must not cost a query, and a newly registered model is accepted within seconds.
 */
@ApplicationScoped
public class ModelCatalog {
    private static final long MAX_AGE_NANOS = 2_000_000_000L;

    private volatile Map<String, ModelEntry> entries = Map.of();
    private volatile boolean loaded;
    private volatile long loadedAt;

    public Optional<ModelEntry> find(String name) {
        return Optional.ofNullable(current().get(name));
    }

    /** Names of the models of a kind, sorted, for error messages. */
    public List<String> names(String kind) {
        return current().values().stream().filter(e -> e.kind.equals(kind)).map(e -> e.name).sorted().toList();
    }

    private Map<String, ModelEntry> current() {
        if (!loaded || System.nanoTime() - loadedAt > MAX_AGE_NANOS) {
            synchronized (this) {
                if (!loaded || System.nanoTime() - loadedAt > MAX_AGE_NANOS) {
                    entries = QuarkusTransaction.requiringNew().call(() -> ModelEntry.<ModelEntry>listAll().stream()
                            .collect(Collectors.toUnmodifiableMap(e -> e.name, Function.identity())));
                    loadedAt = System.nanoTime();
                    loaded = true;
                }
            }
        }
        return entries;
    }
}
