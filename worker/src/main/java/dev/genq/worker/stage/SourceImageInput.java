package dev.genq.worker.stage;

import dev.genq.worker.engine.DiffusionEngine.TextSample;
import dev.genq.worker.engine.DiffusionEngine.VariationSample;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;

/**
 * A variation's input preparation: the released sample it varies, decoded from its PNG to the base model's
 * CHW floats (the bytes the client downloaded, so a variation at strength 0 gives them back unchanged).
 */
public record SourceImageInput(float[] image) {

    /** @throws IllegalArgumentException if the PNG is not at the model's resolution */
    public static SourceImageInput decodePng(byte[] png, ModelSpec base) {
        return new SourceImageInput(Images.fromPng(png, base.resolution()));
    }

    public VariationSample sample(TextSample text) {
        return new VariationSample(text, image);
    }
}
