package dev.genq.storage.provenance;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.awt.image.PixelGrabber;

/**
 * A perceptual fingerprint of a picture, 176 bits: the picture is area-averaged to 8x8 grey cells, and each bit says
 * whether a cell is darker than its right neighbour (56), than the one below (56), or brighter than the mean (64).
 * The 8x8 grid falls on the same pixels in a half-size (or JPEG, 8x8-block) copy of a sample whose sides are
 * multiples of 8, so such copies move few bits; an unrelated picture moves about half. Compared by Hamming distance.
 */
public final class ImageFingerprint {
    static final int GRID = 8;
    /** Bits in a fingerprint. */
    public static final int BITS = 2 * GRID * (GRID - 1) + GRID * GRID;

    private ImageFingerprint() {
    }

    public static byte[] of(BufferedImage image) {
        byte[] bits = new byte[BITS / 8];
        double[] g = grey(image, GRID, GRID);
        double mean = 0;
        for (double v : g) {
            mean += v / g.length;
        }
        int bit = 0;
        for (int y = 0; y < GRID; y++) {
            for (int x = 0; x < GRID - 1; x++) {
                set(bits, bit++, g[y * GRID + x] < g[y * GRID + x + 1]);
            }
        }
        for (int y = 0; y < GRID - 1; y++) {
            for (int x = 0; x < GRID; x++) {
                set(bits, bit++, g[y * GRID + x] < g[(y + 1) * GRID + x]);
            }
        }
        for (double v : g) {
            set(bits, bit++, v > mean);
        }
        return bits;
    }

    /** Bits that differ (0: the same fingerprint, {@link #BITS}: every bit). */
    public static int distance(byte[] a, byte[] b) {
        int d = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            d += Integer.bitCount((a[i] ^ b[i]) & 0xFF);
        }
        return d + 8 * Math.abs(a.length - b.length);
    }

    private static void set(byte[] bits, int bit, boolean on) {
        if (on) {
            bits[bit / 8] |= (byte) (1 << (bit % 8));
        }
    }

    /** Luma of the picture area-averaged to w x h cells: every source pixel counts, whatever the scale. */
    private static double[] grey(BufferedImage image, int w, int h) {
        Image small = image.getScaledInstance(w, h, Image.SCALE_AREA_AVERAGING);
        int[] argb = new int[w * h];
        PixelGrabber grabber = new PixelGrabber(small, 0, 0, w, h, argb, 0, w);
        try {
            if (!grabber.grabPixels(10_000)) {
                throw new IllegalStateException("could not scale the image");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double[] luma = new double[w * h];
        for (int i = 0; i < luma.length; i++) {
            int p = argb[i];
            luma[i] = 0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF);
        }
        return luma;
    }
}
