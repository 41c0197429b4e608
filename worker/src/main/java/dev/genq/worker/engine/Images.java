package dev.genq.worker.engine;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import dev.genq.storage.job.ImageSize;

/** Conversions between the model's [-1, 1] CHW floats and 8-bit RGB images. */
public final class Images {
    private Images() {
    }

    /** Encodes one square CHW image (3 channels, values in [-1, 1]) as PNG. */
    public static byte[] png(float[] chw, int size) {
        return png(chw, ImageSize.square(size));
    }

    /** Encodes one CHW image (3 channels of height rows of width values, in [-1, 1]) as PNG. */
    public static byte[] png(float[] chw, ImageSize size) {
        int w = size.width();
        int h = size.height();
        if (chw.length != 3 * w * h) {
            throw new IllegalArgumentException("a " + size + " picture has " + 3 * w * h + " values, not " + chw.length);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
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

    /** Decodes a square RGB PNG into CHW floats in [-1, 1]. */
    public static float[] fromPng(byte[] png, int expectedSize) {
        return fromPng(png, ImageSize.square(expectedSize));
    }

    /** Decodes an RGB PNG of exactly {@code expected} into CHW floats in [-1, 1]. */
    public static float[] fromPng(byte[] png, ImageSize expected) {
        BufferedImage img = decode(png);
        if (img.getWidth() != expected.width() || img.getHeight() != expected.height()) {
            throw new IllegalArgumentException("expected a " + expected + " PNG, got " + img.getWidth() + "x" + img.getHeight());
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

    /** An image's RGB as CHW floats in [-1, 1] (each 8-bit value v as v / 127.5 - 1, exactly invertible). */
    public static float[] chw(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        float[] chw = new float[3 * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                chw[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                chw[plane + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                chw[2 * plane + i] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return chw;
    }

    /** Bilinear upsampling of a square CHW image (align_corners=False, like torch's F.interpolate). */
    public static float[] upsampleBilinear(float[] chw, int channels, int from, int to) {
        return upsampleBilinear(chw, channels, ImageSize.square(from), ImageSize.square(to));
    }

    /** Bilinear resampling of a CHW image from one size to another, each axis on its own (align_corners=False). */
    public static float[] upsampleBilinear(float[] chw, int channels, ImageSize from, ImageSize to) {
        int fw = from.width();
        int fh = from.height();
        int tw = to.width();
        int th = to.height();
        float[] out = new float[channels * tw * th];
        double scaleX = (double) fw / tw;
        double scaleY = (double) fh / th;
        for (int c = 0; c < channels; c++) {
            int src = c * fw * fh;
            int dst = c * tw * th;
            for (int y = 0; y < th; y++) {
                double sy = Math.max(0, (y + 0.5) * scaleY - 0.5);
                int y0 = (int) sy;
                int y1 = Math.min(y0 + 1, fh - 1);
                double wy = sy - y0;
                for (int x = 0; x < tw; x++) {
                    double sx = Math.max(0, (x + 0.5) * scaleX - 0.5);
                    int x0 = (int) sx;
                    int x1 = Math.min(x0 + 1, fw - 1);
                    double wx = sx - x0;
                    double top = chw[src + y0 * fw + x0] * (1 - wx) + chw[src + y0 * fw + x1] * wx;
                    double bottom = chw[src + y1 * fw + x0] * (1 - wx) + chw[src + y1 * fw + x1] * wx;
                    out[dst + y * tw + x] = (float) (top * (1 - wy) + bottom * wy);
                }
            }
        }
        return out;
    }

    private static int toByte(float v) {
        return Math.round((Math.max(-1f, Math.min(1f, v)) + 1f) * 127.5f);
    }
}
