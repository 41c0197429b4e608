package dev.genq.moderation.inference;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Pre-processing shared by moderation's models (the safety classifier, the judge), kept apart from the
 * models as in DJL's translators: a PNG becomes RGB in [-1, 1], channel-first, at the model's resolution.
 */
public final class ImageInput {
    private ImageInput() {
    }

    /** The decoded image; an {@link IllegalArgumentException} for bytes that are not an image. */
    public static BufferedImage decode(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PNG: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a PNG");
        }
        return image;
    }

    /** RGB in [-1, 1], channel-first; integer downscales average whole blocks (as the training data was made). */
    public static float[] toChw(BufferedImage image, int size) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int x0 = x * w / size;
                int x1 = Math.max(x0 + 1, (x + 1) * w / size);
                int y0 = y * h / size;
                int y1 = Math.max(y0 + 1, (y + 1) * h / size);
                double r = 0;
                double g = 0;
                double b = 0;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        int argb = image.getRGB(xx, yy);
                        double alpha = (argb >>> 24) / 255.0; // composite on white, like the training data
                        r += alpha * ((argb >> 16) & 0xff) + (1 - alpha) * 255;
                        g += alpha * ((argb >> 8) & 0xff) + (1 - alpha) * 255;
                        b += alpha * (argb & 0xff) + (1 - alpha) * 255;
                    }
                }
                double n = (double) (x1 - x0) * (y1 - y0);
                out[y * size + x] = (float) (r / n / 127.5 - 1);
                out[size * size + y * size + x] = (float) (g / n / 127.5 - 1);
                out[2 * size * size + y * size + x] = (float) (b / n / 127.5 - 1);
            }
        }
        return out;
    }
}
