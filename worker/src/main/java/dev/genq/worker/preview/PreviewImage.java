package dev.genq.worker.preview;

import dev.genq.storage.job.ImageSize;
import dev.genq.worker.engine.Images;

/** One sample's x0 estimate made small: box-averaged by a whole factor until it fits {@code maxSize}. */
final class PreviewImage {
    private PreviewImage() {
    }

    /** @param chw 3 planes of {@code size} values in [-1, 1]; the longer side is brought within {@code maxSize} */
    static byte[] png(float[] chw, ImageSize size, int maxSize) {
        int w = size.width();
        int h = size.height();
        int factor = 1;
        while (Math.max(w, h) / factor > maxSize && w % (factor * 2) == 0 && h % (factor * 2) == 0) {
            factor *= 2;
        }
        if (factor == 1) {
            return Images.png(chw, size);
        }
        int sw = w / factor;
        int sh = h / factor;
        float[] out = new float[3 * sw * sh];
        float norm = 1f / (factor * factor);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < sw; x++) {
                    float sum = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        int row = c * w * h + (y * factor + dy) * w + x * factor;
                        for (int dx = 0; dx < factor; dx++) {
                            sum += chw[row + dx];
                        }
                    }
                    out[c * sw * sh + y * sw + x] = sum * norm;
                }
            }
        }
        return Images.png(out, new ImageSize(sw, sh));
    }
}
