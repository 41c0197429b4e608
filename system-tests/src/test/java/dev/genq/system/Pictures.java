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
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertNotNull(img, what + ": not a decodable image");
        assertEquals(size, img.getWidth(), what + ": width");
        assertEquals(size, img.getHeight(), what + ": height");
        Set<Integer> colours = new HashSet<>();
        double sum = 0;
        double sumSq = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colours.add(rgb);
                double lum = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                sum += lum;
                sumSq += lum * lum;
            }
        }
        double n = (double) size * size;
        double contrast = Math.sqrt(Math.max(0, sumSq / n - (sum / n) * (sum / n)));
        assertTrue(colours.size() >= MIN_COLOURS, what + ": only " + colours.size() + " distinct colours");
        assertTrue(contrast >= MIN_CONTRAST, what + ": luminance spread " + contrast + " (no visible contrast)");
        return img;
    }
}
