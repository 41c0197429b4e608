package dev.genq.worker.stage;

import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;
import java.awt.image.BufferedImage;

/**
 * An image-to-image job's input preparation: its uploaded image (and, for inpainting, its mask) brought to the
 * base model's resolution by one documented rule, then handed on as a {@link SourceImageInput}.
 * <p>
 * The rule: the largest centred square is cropped, then each model pixel is the average of the block of
 * source pixels it covers (when enlarging, the nearest source pixel). A square upload at the model's resolution
 * passes through unchanged, so an inpainting keeps its unmasked pixels byte for byte. A mask pixel is redrawn
 * where its mean brightness is at least half (white), kept where it is dark (black).
 */
public final class UploadedImageInput {
    private UploadedImageInput() {
    }

    /**
     * @param mask null: the whole image is redrawn
     * @throws IllegalArgumentException if a PNG is not an image
     */
    public static SourceImageInput prepare(byte[] png, byte[] mask, ModelSpec base) {
        int r = base.resolution();
        float[] image = Images.chw(fit(Images.decode(png), r));
        if (mask == null) {
            return new SourceImageInput(image, null);
        }
        float[] m = Images.chw(fit(Images.decode(mask), r));
        int plane = r * r;
        float[] redo = new float[image.length];
        for (int i = 0; i < plane; i++) {
            // chw values are v / 127.5 - 1: a mean above 0 is a mean byte of at least 128
            float brightness = (m[i] + m[plane + i] + m[2 * plane + i]) / 3f;
            float v = brightness >= 0f ? 1f : 0f;
            for (int c = 0; c < image.length / plane; c++) {
                redo[c * plane + i] = v;
            }
        }
        return new SourceImageInput(image, redo);
    }

    /** The centred square, averaged down (or sampled up) to {@code size}×{@code size}. */
    static BufferedImage fit(BufferedImage img, int size) {
        int side = Math.min(img.getWidth(), img.getHeight());
        int left = (img.getWidth() - side) / 2;
        int top = (img.getHeight() - side) / 2;
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int x0 = x * side / size;
                int x1 = Math.max(x0 + 1, (x + 1) * side / size);
                int y0 = y * side / size;
                int y1 = Math.max(y0 + 1, (y + 1) * side / size);
                long red = 0;
                long green = 0;
                long blue = 0;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        int rgb = img.getRGB(left + xx, top + yy);
                        red += (rgb >> 16) & 0xFF;
                        green += (rgb >> 8) & 0xFF;
                        blue += rgb & 0xFF;
                    }
                }
                long n = (long) (x1 - x0) * (y1 - y0);
                out.setRGB(x, y, (int) ((red + n / 2) / n) << 16 | (int) ((green + n / 2) / n) << 8 | (int) ((blue + n / 2) / n));
            }
        }
        return out;
    }
}
