package dev.genq.worker.engine;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Conversions between the model's [-1, 1] CHW floats and 8-bit RGB images. */
public final class Images {
    private Images() {
    }

    /** Encodes one CHW image (3 channels, values in [-1, 1]) as PNG. */
    public static byte[] png(float[] chw, int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int i = y * size + x;
                img.setRGB(x, y, (toByte(chw[i]) << 16) | (toByte(chw[plane + i]) << 8) | toByte(chw[2 * plane + i]));
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes an RGB PNG into CHW floats in [-1, 1]. */
    public static float[] fromPng(byte[] png, int expectedSize) {
        BufferedImage img = decode(png);
        if (img.getWidth() != expectedSize || img.getHeight() != expectedSize) {
            throw new IllegalArgumentException("expected a " + expectedSize + "x" + expectedSize + " PNG");
        }
        return chw(img);
    }

    /** @throws IllegalArgumentException if the bytes are not an image ImageIO reads */
    public static BufferedImage decode(byte[] png) {
        BufferedImage img;
        try {
            img = ImageIO.read(new java.io.ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (img == null) {
            throw new IllegalArgumentException("not an image ImageIO reads");
        }
        return img;
    }

    /** A square image's RGB as CHW floats in [-1, 1] (each 8-bit value v as v / 127.5 - 1, exactly invertible). */
    public static float[] chw(BufferedImage img) {
        int size = img.getWidth();
        int plane = size * size;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * size + x;
                chw[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                chw[plane + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                chw[2 * plane + i] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return chw;
    }

    /** Bilinear upsampling of a CHW image (align_corners=False, like torch's F.interpolate). */
    public static float[] upsampleBilinear(float[] chw, int channels, int from, int to) {
        float[] out = new float[channels * to * to];
        double scale = (double) from / to;
        for (int c = 0; c < channels; c++) {
            int src = c * from * from;
            int dst = c * to * to;
            for (int y = 0; y < to; y++) {
                double sy = Math.max(0, (y + 0.5) * scale - 0.5);
                int y0 = (int) sy;
                int y1 = Math.min(y0 + 1, from - 1);
                double wy = sy - y0;
                for (int x = 0; x < to; x++) {
                    double sx = Math.max(0, (x + 0.5) * scale - 0.5);
                    int x0 = (int) sx;
                    int x1 = Math.min(x0 + 1, from - 1);
                    double wx = sx - x0;
                    double top = chw[src + y0 * from + x0] * (1 - wx) + chw[src + y0 * from + x1] * wx;
                    double bottom = chw[src + y1 * from + x0] * (1 - wx) + chw[src + y1 * from + x1] * wx;
                    out[dst + y * to + x] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
        return out;
    }

    private static int toByte(float v) {
        return Math.round((Math.max(-1f, Math.min(1f, v)) + 1f) * 127.5f);
    }
}
