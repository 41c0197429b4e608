package dev.genq.moderation.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.moderation.inference.ImageInput;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped judge package, models/emoji-judge, as moderation loads and uses it. */
class AdherenceJudgeTest {
    static final Path PACKAGE = Path.of("../models/emoji-judge");
    static AdherenceJudge judge;

    @BeforeAll
    static void load() {
        judge = AdherenceJudge.load(PACKAGE);
    }

    @AfterAll
    static void close() {
        judge.close();
    }

    static BufferedImage probeImage() throws Exception {
        return ImageInput.decode(Files.readAllBytes(PACKAGE.resolve("probe.png")));
    }

    static String probePrompt() throws Exception {
        return new ObjectMapper().readTree(PACKAGE.resolve("model.json").toFile()).path("probe").path("prompt").asText();
    }

    @Test
    void featuresAreUnitLengthAndTheVersionIsRecorded() throws Exception {
        float[] f = judge.embedImage(probeImage());
        assertEquals(1.0, AdherenceJudge.similarity(f, f), 1e-4);
        float[] p = judge.embedPrompt("a grinning cat");
        assertEquals(f.length, p.length);
        assertEquals(1.0, AdherenceJudge.similarity(p, p), 1e-4);
        assertTrue(judge.version().startsWith("emoji-judge@"), judge.version());
    }

    @Test
    void anEmojiItNeverSawMatchesItsOwnNameBetterThanUnrelatedPrompts() throws Exception {
        // the probe image is a held-out emoji: the judge never trained on it or its caption
        float[] image = judge.embedImage(probeImage());
        double own = AdherenceJudge.similarity(image, judge.embedPrompt(probePrompt()));
        assertTrue(own >= judge.threshold(), "own prompt " + own + " below the pass mark " + judge.threshold());
        for (String other : List.of("a red car", "a national flag", "a slice of pizza", "a mobile phone")) {
            double s = AdherenceJudge.similarity(image, judge.embedPrompt(other));
            assertTrue(s < own, other + " scores " + s + ", its own name " + own);
        }
    }

    @Test
    void aPackageWhoseProbeNoLongerMatchesIsRefusedWithTheMeasuredDifference(@TempDir Path dir) throws Exception {
        try (Stream<Path> files = Files.list(PACKAGE)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        ((ObjectNode) spec.path("probe")).put("expect", -0.5);
        json.writeValue(dir.resolve("model.json").toFile(), spec);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AdherenceJudge.load(dir));
        assertTrue(e.getMessage().startsWith("judge package " + dir + ": probe failed: similarity of '"), e.getMessage());
        assertTrue(e.getMessage().contains("expected -0.5000 ± 0.0200"), e.getMessage());
    }

    @Test
    void aPackageWithoutAProbeOrOfAnotherKindIsRefused(@TempDir Path dir) throws Exception {
        try (Stream<Path> files = Files.list(PACKAGE)) {
            for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        spec.remove("probe");
        json.writeValue(dir.resolve("model.json").toFile(), spec);
        assertTrue(assertThrows(IllegalStateException.class, () -> AdherenceJudge.load(dir)).getMessage().contains("ships no probe"));
        spec.put("kind", "classifier");
        json.writeValue(dir.resolve("model.json").toFile(), spec);
        assertEquals("judge package " + dir + ": kind is 'classifier', not 'judge'",
                assertThrows(IllegalStateException.class, () -> AdherenceJudge.load(dir)).getMessage());
    }
}
