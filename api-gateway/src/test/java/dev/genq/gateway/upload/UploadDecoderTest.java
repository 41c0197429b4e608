package dev.genq.gateway.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.api.problem.ProblemException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Normalisation: every upload becomes an opaque sRGB PNG; colour profiles are applied, limits checked first. */
class UploadDecoderTest {
    static final UploadSettings LIMITS = new UploadSettings() {
        public long maxBytes() {
            return 8 << 20;
        }

        public int maxSide() {
            return 64;
        }

        public long maxPixels() {
            return 48 * 48;
        }

        public Duration retention() {
            return Duration.ofHours(1);
        }

        public int concurrentDecodes() {
            return 1;
        }
    };

    static BufferedImage png(byte[] b) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(b));
    }

    @Test
    void anEmbeddedColourProfileIsAppliedSoTheStoredPixelsAreSrgb() throws Exception {
        BufferedImage stored = png(new UploadDecoder(LIMITS).normalise(UploadFixtures.linearRgbJpeg()).png());
        int grey = stored.getRGB(8, 8) & 0xFF;
        // linear 128/255 is sRGB 188; read as if sRGB it would stay 128
        assertTrue(Math.abs(grey - 188) <= 2, "linear-RGB grey stored as sRGB: " + grey);
        assertTrue(stored.getColorModel().getColorSpace().isCS_sRGB());
    }

    @Test
    void alphaIsCompositedOverWhite() throws Exception {
        BufferedImage stored = png(new UploadDecoder(LIMITS).normalise(UploadFixtures.disk("png", 40, 30, true)).png());
        assertFalse(stored.getColorModel().hasAlpha());
        assertEquals(0xFFFFFF, stored.getRGB(0, 0) & 0xFFFFFF);
    }

    @Test
    void theLimitsApplyToTheHeaderSidesAndPixels() {
        UploadDecoder decoder = new UploadDecoder(LIMITS);
        assertEquals("image_too_large", assertThrows(ProblemException.class,
                () -> decoder.normalise(UploadFixtures.disk("png", 65, 8, false))).problem().code(), "a side over 64");
        assertEquals("image_too_large", assertThrows(ProblemException.class,
                () -> decoder.normalise(UploadFixtures.disk("png", 60, 60, false))).problem().code(), "3600 pixels over 2304");
        assertEquals(48, decoder.normalise(UploadFixtures.disk("png", 48, 48, false)).header().width());
    }
}
