package dev.genq.worker.engine;

/**
 * A run that starts from an image instead of pure noise (super-resolution from its upsampled preview; later
 * image-to-image and variations): the image noised to the run's first timestep, x_t = sqrt(ᾱ)·x0 + sqrt(1−ᾱ)·ε,
 * so the model only redoes what that much noise hides (SDEdit).
 */
final class NoisedStart {
    private NoisedStart() {
    }

    /** Overwrites {@code noise} (ε, per value) with the noised {@code image}; both are the same length. */
    static void mix(float[] image, float[] noise, double alphaBar) {
        if (image.length != noise.length) {
            throw new IllegalArgumentException("image and noise differ in size: " + image.length + " vs " + noise.length);
        }
        float signal = (float) Math.sqrt(alphaBar);
        float spread = (float) Math.sqrt(1 - alphaBar);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = signal * image[i] + spread * noise[i];
        }
    }
}
