package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** What a downloaded image must be: a decodable PNG of the expected size that is a picture, not a fill. */
final class Pictures {
    /** The same bar as moderation's quality check: at least 16 colours and a visible luminance spread. */
    static final int MIN_COLOURS = 16;
    static final double MIN_CONTRAST = 4.0;

    private Pictures() {
    }

    /**
     * The sample's quality verdict says it is a picture (none of the blank codes) and carries the judge's
     * adherence score; whether the score passes depends on the model (the fixtures draw noise: flagged).
     */
    static void assertPictureVerdict(com.fasterxml.jackson.databind.JsonNode sample) {
        com.fasterxml.jackson.databind.JsonNode q = sample.path("quality");
        String reasons = q.path("reasons").toString();
        assertTrue(q.isObject() && !reasons.contains("not_decodable") && !reasons.contains("too_few_colours")
                && !reasons.contains("no_contrast"), "not a picture by its verdict: " + sample);
        assertTrue(q.path("score").isNumber() && q.path("threshold").isNumber(), "no adherence score: " + sample);
        assertTrue(q.path("judge").asText().startsWith("emoji-judge@"), sample.toString());
    }

    /** A released PNG without the chunks provenance added: the bytes the worker stored (their sha256 is the sample's). */
    static byte[] withoutProvenance(byte[] png) {
        return dev.genq.storage.provenance.PngChunks.without(png, dev.genq.storage.provenance.ProvenanceManifest.KEYWORDS);
    }

    /** Decodes {@code png} and asserts its size, colour count and contrast; returns the image. */
    static BufferedImage assertPicture(byte[] png, int size, String what) {
        return assertPicture(png, size, size, what);
    }

    /**
     * The same for a {@code width}×{@code height} picture, and each half along its longer side must be a picture on
     * its own: a native square drawn into a larger canvas (the rest one fill) fails.
     */
    static BufferedImage assertPicture(byte[] png, int width, int height, String what) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertNotNull(img, what + ": not a decodable image");
        assertEquals(width, img.getWidth(), what + ": width");
        assertEquals(height, img.getHeight(), what + ": height");
        assertArea(img, 0, 0, width, height, what);
        if (width != height) {
            boolean wide = width > height;
            int w = wide ? width / 2 : width;
            int h = wide ? height : height / 2;
            assertArea(img, 0, 0, w, h, what + (wide ? ", left half" : ", top half"));
            assertArea(img, wide ? w : 0, wide ? 0 : h, w, h, what + (wide ? ", right half" : ", bottom half"));
        }
        return img;
    }

    private static void assertArea(BufferedImage img, int x0, int y0, int width, int height, String what) {
        Set<Integer> colours = new HashSet<>();
        double sum = 0;
        double sumSq = 0;
        for (int y = y0; y < y0 + height; y++) {
            for (int x = x0; x < x0 + width; x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                double lum = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += lum;
                sumSq += lum * lum;
            }
        }
        double n = (double) width * height;
        double contrast = Math.sqrt(Math.max(0, sumSq / n - (sum / n) * (sum / n)));
        assertTrue(colours.size() >= MIN_COLOURS, what + ": only " + colours.size() + " distinct colours");
        assertTrue(contrast >= MIN_CONTRAST, what + ": luminance spread " + contrast + " (no visible contrast)");
    }
}
