package dev.genq.moderation.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.moderation.ModerationFixtures;
import dev.genq.moderation.metrics.ModerationMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The quality verdict with the shipped judge: blank detection, prompt adherence, the policy, the metrics. */
class QualityCheckTest {
    static final Path JUDGE = Path.of("../models/emoji-judge");

    static QualitySettings settings(String blankAction, String adherenceAction, Path judge) {
        return new QualitySettings() {
            public String blankAction() {
                return blankAction;
            }

            public int minDistinctColours() {
                return 16;
            }

            public double minContrast() {
                return 4.0;
            }

            public Optional<Path> judge() {
                return Optional.ofNullable(judge);
            }

            public String adherenceAction() {
                return adherenceAction;
            }
        };
    }

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    QualityCheck check(String blankAction, String adherenceAction, Path judge) {
        QualitySettings s = settings(blankAction, adherenceAction, judge);
        return new QualityCheck(s, new PictureCheck(s), new ModerationMeters(metrics));
    }

    static byte[] probe() throws Exception {
        return Files.readAllBytes(JUDGE.resolve("probe.png"));
    }

    static String probePrompt() throws Exception {
        return new ObjectMapper().readTree(JUDGE.resolve("model.json").toFile()).path("probe").path("prompt").asText();
    }

    @Test
    void aSolidFillIsNotAPictureFailsWithBothReasonsAndIsNotJudged() {
        QualityCheck quality = check("fail", "flag", JUDGE);
        QualityCheck.Result r = quality.check(ModerationFixtures.png(Color.BLACK), "a black square");
        QualityVerdict v = r.verdict();
        assertEquals(0.0, metrics.counter("genq.quality.checked", "model_version", "emoji-base@1").count(), "counted when decided");
        quality.count(v, "emoji-base@1");
        assertFalse(v.passed());
        assertTrue(v.fails());
        assertEquals("fail", v.action());
        assertEquals(List.of("too_few_colours", "no_contrast"), v.reasons());
        assertEquals(1, v.distinctColours());
        assertNull(v.score(), "a blank gets no adherence score");
        assertNull(r.features());
        assertEquals(1.0, metrics.counter("genq.quality.checked", "model_version", "emoji-base@1").count());
        assertEquals(1.0, metrics.counter("genq.quality.failed", "model_version", "emoji-base@1", "reason", "no_contrast").count());
    }

    @Test
    void anEmojiWithItsOwnNamePassesWithItsAdherenceScore() throws Exception {
        QualityCheck quality = check("fail", "flag", JUDGE);
        QualityCheck.Result r = quality.check(probe(), probePrompt());
        QualityVerdict v = r.verdict();
        quality.count(v, "emoji-base@1");
        assertTrue(v.passed(), v.toString());
        assertNull(v.action());
        assertTrue(v.reasons().isEmpty());
        assertNotNull(v.score());
        assertTrue(v.score() >= v.threshold(), v.toString());
        assertTrue(v.judge().startsWith("emoji-judge@"), v.toString());
        assertNotNull(r.features());
        assertEquals(1, metrics.summary("genq.quality.adherence", "model_version", "emoji-base@1").count());
    }

    @Test
    void theSameEmojiUnderAnUnrelatedPromptIsFlaggedNotFailedByDefault() throws Exception {
        QualityCheck quality = check("fail", "flag", JUDGE);
        QualityVerdict v = quality.check(probe(), "a red racing car").verdict();
        quality.count(v, "emoji-base@1");
        assertFalse(v.passed(), v.toString());
        assertEquals(List.of("low_adherence"), v.reasons());
        assertEquals("flag", v.action());
        assertFalse(v.fails(), "flag: released and recorded");
        assertTrue(v.score() < v.threshold(), v.toString());
        assertEquals(1.0, metrics.counter("genq.quality.failed", "model_version", "emoji-base@1", "reason", "low_adherence").count());
        assertEquals(1.0, metrics.counter("genq.samples.low_adherence").count());
    }

    @Test
    void underAFailPolicyLowAdherenceFails() throws Exception {
        QualityVerdict v = check("fail", "fail", JUDGE).check(probe(), "a red racing car").verdict();
        assertTrue(v.fails(), v.toString());
    }

    @Test
    void withoutAJudgeAPictureIsCheckedForBlanksOnly() throws Exception {
        QualityCheck.Result r = check("fail", "flag", null).check(probe(), "a red racing car");
        assertTrue(r.verdict().passed(), r.verdict().toString());
        assertNull(r.verdict().score());
        assertNull(r.features());
    }

    @Test
    void bytesThatAreNoImageAreNotDecodable() {
        QualityVerdict v = check("fail", "flag", JUDGE).check("not a png".getBytes(), "x").verdict();
        assertEquals(List.of("not_decodable"), v.reasons());
        assertTrue(v.fails());
    }

    @Test
    void underTheFlagPolicyABlankIsRecordedButDoesNotFail() {
        QualityVerdict v = check("flag", "flag", null).check(ModerationFixtures.png(Color.WHITE), "x").verdict();
        assertFalse(v.passed());
        assertFalse(v.fails());
        assertEquals("flag", v.action());
    }

    @Test
    void anUnknownPolicyIsRefusedAtStart() {
        assertEquals("genq.moderation.quality.blank-action is 'drop'; it must be fail or flag",
                assertThrows(IllegalStateException.class, () -> check("drop", "flag", null)).getMessage());
        assertEquals("genq.moderation.quality.adherence-action is 'warn'; it must be fail or flag",
                assertThrows(IllegalStateException.class, () -> check("fail", "warn", null)).getMessage());
    }
}
