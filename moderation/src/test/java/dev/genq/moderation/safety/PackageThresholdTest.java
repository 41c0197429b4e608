package dev.genq.moderation.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.api.policy.PolicySettings;
import dev.genq.api.policy.PromptPolicy;
import dev.genq.moderation.ModerationFixtures;
import dev.genq.moderation.metrics.ModerationMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A concept the policy gives no threshold is flagged at the classifier package's calibrated threshold
 * (model.json), so a trained package's calibration applies without copying it into configuration; an
 * operator's threshold still wins. Uses the colour-dominance fixture: a reddish image scores about 0.27
 * as "weapon".
 */
class PackageThresholdTest {

    static final Path FIXTURE = Path.of("..", "models", "fixtures", "tiny-safety");

    record Concept(OptionalDouble threshold, PolicySettings.Action action, List<String> terms) implements PolicySettings.Concept {
    }

    @TempDir
    Path dir;

    @Test
    void thePackageThresholdAppliesWhenThePolicySetsNone() throws IOException {
        Verdict verdict = scoreReddish(pkg(t -> t.put("weapon", 0.2)), OptionalDouble.empty());

        assertEquals(0.27, verdict.image().get("weapon"), 0.01);
        assertEquals(List.of("weapon"), verdict.flagged());
        assertTrue(verdict.quarantine());
        assertEquals(List.of("image: weapon 0.27 >= 0.20 (quarantine)"), verdict.reasons());
    }

    @Test
    void thePolicyThresholdWinsOverThePackage() throws IOException {
        Verdict verdict = scoreReddish(pkg(t -> t.put("weapon", 0.2)), OptionalDouble.of(0.5));

        assertEquals(List.of(), verdict.flagged());
    }

    @Test
    void aLabelWithoutPackageThresholdFallsBackToHalf() throws IOException {
        Path noWeaponThreshold = pkg(t -> t.remove("weapon"));
        try (SafetyClassifier classifier = SafetyClassifier.load(noWeaponThreshold)) {
            assertEquals(0.5, classifier.threshold("weapon"));
            assertEquals(0.5, classifier.threshold("alcohol"));
        }
        Verdict verdict = scoreReddish(noWeaponThreshold, OptionalDouble.empty());
        assertEquals(List.of(), verdict.flagged());
    }

    @Test
    void aThresholdOutsideZeroToOneIsRefusedAtLoad() throws IOException {
        assertEquals(": threshold of 'weapon' is 1.5, not a number in (0, 1]", loadError(t -> t.put("weapon", 1.5)));
    }

    @Test
    void aThresholdThatIsNotANumberIsRefusedAtLoad() throws IOException {
        assertEquals(": threshold of 'weapon' is \"0.3\", not a number in (0, 1]", loadError(t -> t.put("weapon", "0.3")));
    }

    @Test
    void aThresholdForNoLabelIsRefusedAtLoad() throws IOException {
        assertEquals(": threshold for 'weapons', which is not a label", loadError(t -> t.put("weapons", 0.3)));
    }

    @Test
    void aPolicyThresholdOutsideZeroToOneIsRefusedAtStart() throws IOException {
        Path pkg = pkg(t -> t.put("weapon", 0.2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scoreReddish(pkg, OptionalDouble.of(1.5)));
        assertEquals("genq.policy.concepts.weapon.threshold is 1.5, not in (0, 1]", e.getMessage());
    }

    /** What loading a copy of the fixture with these thresholds fails with, after "classifier package <dir>". */
    String loadError(Consumer<ObjectNode> thresholds) throws IOException {
        Path bad = pkg(thresholds);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafetyClassifier.load(bad));
        assertTrue(e.getMessage().startsWith("classifier package " + bad), e.getMessage());
        return e.getMessage().substring(("classifier package " + bad).length());
    }

    /** A copy of the fixture package with its model.json thresholds edited. */
    Path pkg(Consumer<ObjectNode> thresholds) throws IOException {
        Path out = Files.createTempDirectory(dir, "pkg");
        Files.copy(FIXTURE.resolve("classifier.pt"), out.resolve("classifier.pt"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(FIXTURE.resolve("model.json").toFile());
        thresholds.accept((ObjectNode) spec.get("thresholds"));
        json.writeValue(out.resolve("model.json").toFile(), spec);
        return out;
    }

    /** The verdict on a reddish image of a scorer over this package and policy threshold (closed after). */
    Verdict scoreReddish(Path pkg, OptionalDouble policyThreshold) throws IOException {
        PolicySettings policy = () -> Map.of("weapon", new Concept(policyThreshold, PolicySettings.Action.QUARANTINE, List.of("pistol")));
        SampleScorer scorer = new SampleScorer(() -> pkg, new PromptPolicy(policy), new ModerationMeters(new SimpleMeterRegistry()));
        try {
            // every pixel (180, 110, 110): red dominance (0.706 - 0.431) = 0.27
            return scorer.score(ModerationFixtures.png(new Color(180, 110, 110)), "a red apple");
        } finally {
            scorer.close(null);
        }
    }
}
