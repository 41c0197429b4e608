package dev.genq.worker.stage;

import dev.genq.worker.engine.DiffusionEngine.UpscaleSample;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.ModelSpec;

/**
 * The super-resolution stage's input preparation: a preview (the base stage's output, or a released
 * sample's PNG) at the model's low resolution, upsampled bilinearly to its output resolution. The
 * upsample both starts the stage (noised to its first timestep) and conditions every step.
 */
public final class LowResInput {
    private LowResInput() {
    }

    /** A stored preview as CHW floats in [-1, 1]; it must be exactly the model's low resolution. */
    public static float[] decodePng(byte[] png, ModelSpec superResolution) {
        return Images.fromPng(png, superResolution.lowResolution());
    }

    public static UpscaleSample sample(long seed, float[] preview, ModelSpec superResolution) {
        int from = superResolution.lowResolution();
        int channels = superResolution.channels();
        if (preview.length != channels * from * from) {
            throw new IllegalArgumentException("expected a " + channels + "x" + from + "x" + from + " preview, got "
                    + preview.length + " values");
        }
        return new UpscaleSample(seed, Images.upsampleBilinear(preview, channels, from, superResolution.resolution()));
    }
}
