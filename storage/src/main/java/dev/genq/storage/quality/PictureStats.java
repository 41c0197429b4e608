package dev.genq.storage.quality;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;

/**
 * The two figures that tell a picture from a fill, the same wherever genq looks at an image (moderation's
 * quality check, a package's golden probe, the tests): distinct 8-bit RGB colours, and the standard
 * deviation of the luminance (0.299 R + 0.587 G + 0.114 B, 0-255).
 */
public record PictureStats(int distinctColours, double contrast) {
    /** The bar a picture clears: a 32 px emoji preview has hundreds of colours and a spread of tens. */
    public static final int MIN_DISTINCT_COLOURS = 16;
    public static final double MIN_CONTRAST = 4.0;

    public boolean isPicture() {
        return isPicture(MIN_DISTINCT_COLOURS, MIN_CONTRAST);
    }

    public boolean isPicture(int minDistinctColours, double minContrast) {
        return distinctColours >= minDistinctColours && contrast >= minContrast;
    }

    public static PictureStats of(BufferedImage img) {
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        return ofRgb(rgb);
    }

    /** @param rgb packed 0xRRGGBB pixels (higher bits ignored) */
    public static PictureStats ofRgb(int[] rgb) {
        Set<Integer> colours = new HashSet<>();
        double sum = 0;
        double sumSq = 0;
        for (int p : rgb) {
            int c = p & 0xFFFFFF;
            colours.add(c);
            double lum = 0.299 * (c >> 16) + 0.587 * ((c >> 8) & 0xFF) + 0.114 * (c & 0xFF);
            sum += lum;
            sumSq += lum * lum;
        }
        double mean = sum / rgb.length;
        return new PictureStats(colours.size(), Math.sqrt(Math.max(0, sumSq / rgb.length - mean * mean)));
    }
}
