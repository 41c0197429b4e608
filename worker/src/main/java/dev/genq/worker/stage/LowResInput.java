package dev.genq.worker.stage;

import dev.genq.storage.job.ImageSize;

import dev.genq.worker.engine.DiffusionEngine.UpscaleSample;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;

/**
 * The super-resolution stage's input preparation: a preview (the base stage's output, or a released
 * sample's PNG), upsampled bilinearly by the model's factor to the size it outputs. The upsample both starts the
 * stage (noised to its first timestep) and conditions every step.
 */
public final class LowResInput {
    private LowResInput() {
    }

    /**
     * A stored preview as CHW floats in [-1, 1]; it must be of {@code size}, the upscale's output over the model's
     * factor (the job's base size).
     */
    public static float[] decodePng(byte[] png, ImageSize size) {
        return Images.fromPng(png, size);
    }

    /** A stored preview at the model's low resolution (its native output over its factor). */
    public static float[] decodePng(byte[] png, ModelSpec superResolution) {
        return decodePng(png, ImageSize.square(superResolution.lowResolution()));
    }

    /** A preview at the model's low resolution, for its native output size. */
    public static UpscaleSample sample(long seed, float[] preview, ModelSpec superResolution) {
        return sample(seed, preview, superResolution.nativeSize(), superResolution);
    }

    /** @param output the size this stage makes (a size the model declares); the preview is it over the factor */
    public static UpscaleSample sample(long seed, float[] preview, ImageSize output, ModelSpec superResolution) {
        ImageSize from = output.dividedBy(superResolution.upscaleFactor());
        int channels = superResolution.channels();
        if (from == null || preview.length != channels * from.pixels()) {
            throw new IllegalArgumentException("expected a " + channels + "x" + from + " preview for a " + output
                    + " upscale, got " + preview.length + " values");
        }
        return new UpscaleSample(seed, Images.upsampleBilinear(preview, channels, from, output));
    }
}
