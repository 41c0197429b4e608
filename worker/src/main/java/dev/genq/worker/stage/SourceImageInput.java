package dev.genq.worker.stage;

import dev.genq.storage.job.Region;
import dev.genq.worker.engine.DiffusionEngine.TextSample;
import dev.genq.worker.engine.DiffusionEngine.VariationSample;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;

/**
 * A variation's input preparation: the released sample it varies, decoded from its PNG to the base model's
 * CHW floats (the bytes the client downloaded, so a variation at strength 0 gives them back unchanged), and for
 * a region, the mask of what is redrawn.
 */
public record SourceImageInput(float[] image, float[] redo) {

    /**
     * @param region null: the whole image is redrawn; else only that rectangle, every other pixel kept
     * @throws IllegalArgumentException if the PNG is not at the model's resolution or the region does not fit
     */
    public static SourceImageInput decodePng(byte[] png, ModelSpec base, Region region) {
        int r = base.resolution();
        float[] image = Images.fromPng(png, r);
        if (region == null) {
            return new SourceImageInput(image, null);
        }
        if (!region.fits(r)) {
            throw new IllegalArgumentException("region " + region.wire() + " does not fit a " + r + " px sample");
        }
        int channels = image.length / (r * r);
        float[] redo = new float[image.length];
        for (int c = 0; c < channels; c++) {
            for (int y = region.y(); y < region.y() + region.height(); y++) {
                java.util.Arrays.fill(redo, c * r * r + y * r + region.x(), c * r * r + y * r + region.x() + region.width(), 1f);
            }
        }
        return new SourceImageInput(image, redo);
    }

    public VariationSample sample(TextSample text) {
        return new VariationSample(text, image, redo);
    }
}
