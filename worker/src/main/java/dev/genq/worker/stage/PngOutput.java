package dev.genq.worker.stage;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Sha256;
import dev.genq.worker.engine.Images;

/**
 * The last stage's output conversion (DJL's PostProcessor): a finished sample's CHW floats in [-1, 1] as
 * the PNG that is stored, with its digest. Same floats, same bytes: a retried job rewrites identical objects.
 */
public record PngOutput(byte[] png, String sha256, int width, int height) {

    public static PngOutput encode(float[] chw, int size) {
        return encode(chw, ImageSize.square(size));
    }

    public static PngOutput encode(float[] chw, ImageSize size) {
        byte[] png = Images.png(chw, size);
        return new PngOutput(png, Sha256.hex(png), size.width(), size.height());
    }
}
