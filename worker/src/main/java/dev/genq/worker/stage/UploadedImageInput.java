package dev.genq.worker.stage;

import dev.genq.storage.job.Margins;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;
import java.awt.image.BufferedImage;

/**
 * An image-to-image job's input preparation: its uploaded image (and, for inpainting, its mask) brought to the
 * base model's resolution by one documented rule, then handed on as a {@link SourceImageInput}.
 * <p>
 * The rule: the largest centred square is cropped, then each model pixel is the average of the block of
 * source pixels it covers (when enlarging, the nearest source pixel). A square upload at the model's resolution
 * passes through unchanged, so an inpainting keeps its unmasked pixels byte for byte. A mask is fitted the same
 * way except that each model pixel takes its block's brightest pixel, and is redrawn where that pixel's mean
 * byte is at least 128 (white), kept where it is dark (black): a block with any white in it is redrawn.
 */
public final class UploadedImageInput {
    private UploadedImageInput() {
    }

    /**
     * @param mask null: the whole image is redrawn
     * @throws IllegalArgumentException if a PNG is not an image
     */
    public static SourceImageInput prepare(byte[] png, byte[] mask, ModelSpec base) {
        return prepare(Images.decode(png), mask == null ? null : Images.decode(mask), base);
    }

    /**
     * Outpainting: the upload on the canvas its margins make, the margins redrawn. A model pixel is redrawn if any
     * of the canvas pixels it averages is margin, so every kept pixel is the upload's alone.
     */
    public static SourceImageInput outpaint(byte[] png, Margins margins, ModelSpec base) {
        OutpaintCanvas canvas = OutpaintCanvas.around(Images.decode(png), margins);
        return prepare(canvas.canvas(), canvas.mask(), base);
    }

    private static SourceImageInput prepare(BufferedImage img, BufferedImage mask, ModelSpec base) {
        int r = base.resolution();
        float[] image = Images.chw(fit(img, r));
        if (mask == null) {
            return new SourceImageInput(image, null);
        }
        BufferedImage fitted = fit(mask, r, true); // each model pixel its block's brightest: any white shows
        int plane = r * r;
        float[] redo = new float[image.length];
        for (int i = 0; i < plane; i++) {
            int rgb = fitted.getRGB(i % r, i / r);
            int mean = (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 3;
            float v = mean >= 128 ? 1f : 0f;
            for (int c = 0; c < image.length / plane; c++) {
                redo[c * plane + i] = v;
            }
        }
        return new SourceImageInput(image, redo);
    }

    /** The centred square, averaged down (or sampled up) to {@code size}×{@code size}. */
    static BufferedImage fit(BufferedImage img, int size) {
        return fit(img, size, false);
    }

    /** @param brightest each output pixel is its block's brightest pixel rather than its mean (for masks) */
    private static BufferedImage fit(BufferedImage img, int size, boolean brightest) {
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
                int max = 0;
                for (int yy = y0; yy < y1; yy++) {
                    for (int xx = x0; xx < x1; xx++) {
                        int rgb = img.getRGB(left + xx, top + yy);
                        red += (rgb >> 16) & 0xFF;
                        green += (rgb >> 8) & 0xFF;
                        blue += rgb & 0xFF;
                        max = Math.max(max, (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 3);
                    }
                }
                if (brightest) {
                    out.setRGB(x, y, max << 16 | max << 8 | max);
                    continue;
                }
                long n = (long) (x1 - x0) * (y1 - y0);
                out.setRGB(x, y, (int) ((red + n / 2) / n) << 16 | (int) ((green + n / 2) / n) << 8 | (int) ((blue + n / 2) / n));
            }
        }
        return out;
    }
}
