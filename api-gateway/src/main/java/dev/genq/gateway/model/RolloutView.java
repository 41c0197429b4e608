package dev.genq.gateway.model;

import dev.genq.storage.model.Rollouts;
import java.util.List;

/** A model's rollout now and its recorded changes, newest first. */
public record RolloutView(String model, String stableVersion, String canaryVersion, double canaryShare,
                          List<Rollouts.Change> history) {
}
