package dev.genq.moderation.safety;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.api.policy.PolicySettings;
import dev.genq.api.policy.PromptPolicy;
import dev.genq.moderation.ModerationFixtures;
import dev.genq.moderation.metrics.ModerationMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A non-square sample (a package's aspect-ratio sizes) is judged on all of it, not only squeezed into the classifier's
 * square: a flagged picture at one end of a wide or tall grey sample is diluted below the threshold when the whole is
 * squeezed, and found in the square that covers that end. Uses the colour-dominance fixture classifier.
 */
class WideSampleTest {
    static final Path FIXTURE = Path.of("..", "models", "fixtures", "tiny-safety");

    final SampleScorer scorer = new SampleScorer(() -> FIXTURE,
            new PromptPolicy(() -> Map.of("weapon", new PackageThresholdTest.Concept(OptionalDouble.empty(),
                    PolicySettings.Action.QUARANTINE, List.of("pistol")))),
            new ModerationMeters(new SimpleMeterRegistry()));

    @AfterEach
    void close() {
        scorer.close(null);
    }

    @Test
    void aFlaggedPictureAtEitherEndOfAWideOrTallSampleIsFound() throws IOException {
        try (SafetyClassifier classifier = SafetyClassifier.load(FIXTURE)) {
            for (int at : new int[] {0, 1, 2}) {
                BufferedImage wide = strip(96, 32, at * 32, 0);
                // the old verdict: the whole squeezed, where the grey dilutes the red disk below the threshold
                assertTrue(classifier.scoreImage(wide).get("weapon") < classifier.threshold("weapon"),
                        "squeezed whole, square " + at + " of a 96x32 strip is diluted: " + classifier.scoreImage(wide));
                Verdict verdict = scorer.score(png(wide), "a landscape");
                assertEquals(List.of("weapon"), verdict.flagged(), "red disk in square " + at + " of 3 of a 96x32 sample: " + verdict.reasons());
                assertTrue(verdict.quarantine());
            }
        }
        assertEquals(List.of("weapon"), scorer.score(png(strip(32, 64, 0, 32)), "a tower").flagged(), "at the foot of a 32x64 sample");
        assertEquals(List.of("weapon"), scorer.score(png(strip(48, 32, 16, 0)), "a landscape").flagged(), "at the right of a 48x32 sample");
    }

    @Test
    void aCleanWideSampleStaysClean() throws IOException {
        Verdict verdict = scorer.score(png(strip(96, 32, -1, -1)), "a landscape");
        assertFalse(verdict.quarantine(), verdict.reasons().toString());
        assertEquals(List.of(), verdict.flagged());
    }

    /** A grey picture of this size with the fixtures' red disk picture at (x, y); none if x is negative. */
    static BufferedImage strip(int w, int h, int x, int y) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(ModerationFixtures.GREY);
        g.fillRect(0, 0, w, h);
        if (x >= 0) {
            g.drawImage(ImageIO.read(new ByteArrayInputStream(ModerationFixtures.picture(Color.RED))), x, y, null);
        }
        g.dispose();
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
