package dev.genq.worker.preview;

import dev.genq.worker.engine.Images;

/** One sample's x0 estimate made small: box-averaged by a whole factor until it fits {@code maxSize}. */
final class PreviewImage {
    private PreviewImage() {
    }

    /** @param chw 3 planes of {@code size}² values in [-1, 1] */
    static byte[] png(float[] chw, int size, int maxSize) {
        int factor = 1;
        while (size / factor > maxSize && size % (factor * 2) == 0) {
            factor *= 2;
        }
        if (factor == 1) {
            return Images.png(chw, size);
        }
        int small = size / factor;
        float[] out = new float[3 * small * small];
        float norm = 1f / (factor * factor);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < small; y++) {
                for (int x = 0; x < small; x++) {
                    float sum = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        int row = c * size * size + (y * factor + dy) * size + x * factor;
                        for (int dx = 0; dx < factor; dx++) {
                            sum += chw[row + dx];
                        }
                    }
                    out[c * small * small + y * small + x] = sum * norm;
                }
            }
        }
        return Images.png(out, small);
    }
}
