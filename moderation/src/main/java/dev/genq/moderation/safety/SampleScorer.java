package dev.genq.moderation.safety;

import dev.genq.api.policy.PolicySettings;
import dev.genq.api.policy.PromptPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores a sample with the safety classifier and its prompt with the text policy, and applies the policy:
 * a concept is flagged when its image score reaches its threshold or the prompt names it; any flagged
 * concept whose action is quarantine or block sends the sample to review. A concept without a policy
 * threshold uses the classifier package's calibrated one; labels the policy does not configure quarantine.
 */
@ApplicationScoped
public class SampleScorer {

    @ConfigMapping(prefix = "genq.moderation.classifier")
    public interface Settings {
        /** The classifier package folder. */
        Path path();
    }

    private final SafetyClassifier classifier;
    private final PromptPolicy policy;
    private final MeterRegistry metrics;

    public SampleScorer(Settings settings, PromptPolicy policy, MeterRegistry metrics) {
        this.classifier = SafetyClassifier.load(settings.path());
        this.policy = policy;
        this.metrics = metrics;
    }

    void close(@Observes ShutdownEvent ignored) {
        classifier.close();
    }

    public Verdict score(byte[] png, String prompt) {
        Map<String, Double> image = classifier.scorePng(png);
        List<String> promptConcepts = policy.match(prompt).stream().map(PromptPolicy.Match::concept).toList();
        List<String> flagged = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        boolean quarantine = false;
        java.util.Set<String> concepts = new java.util.TreeSet<>(image.keySet());
        concepts.addAll(promptConcepts);
        for (String concept : concepts) {
            PolicySettings.Concept c = policy.settings().concepts().get(concept);
            double threshold = c != null && c.threshold().isPresent() ? c.threshold().getAsDouble() : classifier.threshold(concept);
            PolicySettings.Action action = c == null ? PolicySettings.Action.QUARANTINE : c.action();
            Double score = image.get(concept);
            boolean byImage = score != null && score >= threshold;
            boolean byPrompt = promptConcepts.contains(concept);
            if (!byImage && !byPrompt) {
                continue;
            }
            flagged.add(concept);
            if (byImage) {
                reasons.add(String.format(Locale.ROOT, "image: %s %.2f >= %.2f (%s)", concept, score, threshold, action.wire()));
            }
            if (byPrompt) {
                reasons.add("prompt: names " + concept + " (" + action.wire() + ")");
            }
            quarantine |= action != PolicySettings.Action.RELEASE;
            metrics.counter("genq.moderation.flagged", "concept", concept).increment();
        }
        metrics.counter("genq.moderation.scored").increment();
        return new Verdict(image, promptConcepts, flagged, quarantine, reasons, classifier.version());
    }
}
