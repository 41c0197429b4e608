package dev.genq.moderation.safety;

import dev.genq.api.policy.PolicySettings;
import dev.genq.api.policy.PromptPolicy;
import dev.genq.moderation.inference.ImageInput;
import dev.genq.moderation.inference.SquareViews;
import dev.genq.moderation.metrics.ModerationMeters;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.config.ConfigMapping;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.awt.image.BufferedImage;
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
@Startup // load (and probe) the model at start: a broken package stops the service, not its first sample
@ApplicationScoped
public class SampleScorer {

    @ConfigMapping(prefix = "genq.moderation.classifier")
    public interface Settings {
        /** The classifier package folder. */
        Path path();
    }

    private final SafetyClassifier classifier;
    private final PromptPolicy policy;
    private final ModerationMeters meters;
    /** Per classifier label, the threshold in force: the policy's, else the package's (both fixed at start). */
    private final Map<String, Double> thresholds;

    public SampleScorer(Settings settings, PromptPolicy policy, ModerationMeters meters) {
        this.classifier = SafetyClassifier.load(settings.path());
        this.policy = policy;
        this.meters = meters;
        try {
            this.thresholds = thresholds(classifier, policy.settings());
        } catch (RuntimeException e) {
            classifier.close();
            throw e;
        }
    }

    private static Map<String, Double> thresholds(SafetyClassifier classifier, PolicySettings settings) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (String label : classifier.labels()) {
            PolicySettings.Concept c = settings.concepts().get(label);
            if (c != null && c.threshold().isPresent()) {
                double t = c.threshold().getAsDouble();
                if (t <= 0 || t > 1) {
                    throw new IllegalStateException("genq.policy.concepts." + label + ".threshold is " + t + ", not in (0, 1]");
                }
                out.put(label, t);
            } else {
                out.put(label, classifier.threshold(label));
            }
        }
        return Map.copyOf(out);
    }

    void close(@Observes ShutdownEvent ignored) {
        classifier.close();
    }

    public Verdict score(byte[] png, String prompt) {
        return score(png, prompt, true);
    }

    /** The same verdict for a live preview, which is not counted as a scored or flagged sample. */
    public Verdict scorePreview(byte[] png, String prompt) {
        return score(png, prompt, false);
    }

    /**
     * An uploaded input image: its image scores alone (the prompt of the job that uses it is checked at submit),
     * over its square views and its centred square, which is what a model is given ({@link SquareViews#withCentred}).
     */
    public Verdict scoreUpload(byte[] png) {
        return verdict(highest(SquareViews.withCentred(ImageInput.decode(png))), "", false);
    }

    private Verdict score(byte[] png, String prompt, boolean sample) {
        return verdict(highest(SquareViews.of(ImageInput.decode(png))), prompt, sample);
    }

    /** Each concept's highest score over the views. */
    private Map<String, Double> highest(List<BufferedImage> views) {
        Map<String, Double> scores = new java.util.HashMap<>();
        for (BufferedImage view : views) {
            classifier.scoreImage(view).forEach((concept, score) -> scores.merge(concept, score, Math::max));
        }
        return scores;
    }

    private Verdict verdict(Map<String, Double> image, String prompt, boolean sample) {
        List<String> promptConcepts = policy.match(prompt).stream().map(PromptPolicy.Match::concept).toList();
        List<String> flagged = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        boolean quarantine = false;
        java.util.Set<String> concepts = new java.util.TreeSet<>(image.keySet());
        concepts.addAll(promptConcepts);
        for (String concept : concepts) {
            PolicySettings.Concept c = policy.settings().concepts().get(concept);
            PolicySettings.Action action = c == null ? PolicySettings.Action.QUARANTINE : c.action();
            Double score = image.get(concept);
            Double threshold = thresholds.get(concept); // every image score's concept is a label
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
            if (sample) {
                meters.flagged(concept).increment();
            }
        }
        if (sample) {
            meters.scored().increment();
        }
        return new Verdict(image, promptConcepts, flagged, quarantine, reasons, classifier.version());
    }
}
