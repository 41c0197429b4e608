package dev.genq.moderation.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.Test;

class PictureCheckTest {
    static QualitySettings settings(String action) {
        return new QualitySettings() {
            public String blankAction() {
                return action;
            }

            public int minDistinctColours() {
                return 16;
            }

            public double minContrast() {
                return 4.0;
            }
        };
    }

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final PictureCheck check = new PictureCheck(settings("fail"), metrics);

    @Test
    void aSolidFillIsNotAPictureAndFailsWithBothReasons() {
        QualityVerdict v = check.check(ModerationFixtures.png(Color.BLACK), "emoji-base@1");
        assertFalse(v.passed());
        assertTrue(v.fails());
        assertEquals(List.of("too_few_colours", "no_contrast"), v.reasons());
        assertEquals(1, v.distinctColours());
        assertEquals(0.0, v.score());
        assertEquals(1.0, metrics.counter("genq.quality.checked", "model_version", "emoji-base@1").count());
        assertEquals(1.0, metrics.counter("genq.quality.failed", "model_version", "emoji-base@1", "reason", "no_contrast").count());
    }

    @Test
    void aShadedEmojiLikePicturePasses() {
        QualityVerdict v = check.check(ModerationFixtures.picture(Color.RED), "emoji-base@1");
        assertTrue(v.passed(), v.toString());
        assertTrue(v.reasons().isEmpty());
        assertTrue(v.distinctColours() >= 16, v.toString());
        assertTrue(v.score() > 0.5, v.toString());
        assertEquals(0.0, metrics.counter("genq.quality.failed", "model_version", "emoji-base@1", "reason", "no_contrast").count());
    }

    @Test
    void bytesThatAreNoImageAreNotDecodable() {
        QualityVerdict v = check.check("not a png".getBytes(), null);
        assertEquals(List.of("not_decodable"), v.reasons());
        assertTrue(v.fails());
    }

    @Test
    void underTheFlagPolicyABlankIsRecordedButDoesNotFail() {
        QualityVerdict v = new PictureCheck(settings("flag"), metrics).check(ModerationFixtures.png(Color.WHITE), "m@1");
        assertFalse(v.passed());
        assertFalse(v.fails());
    }

    @Test
    void anUnknownPolicyIsRefusedAtStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PictureCheck(settings("drop"), metrics));
        assertEquals("genq.moderation.quality.blank-action is 'drop'; it must be fail or flag", e.getMessage());
    }
}
