package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;

/**
 * The finished image a noise prediction implies at the current step: x0 = (x_t - sqrt(1 - a) eps) / sqrt(a)
 * with a = alpha-bar(t), in the denoiser's space (the picture's, or latents'; {@link SampleSpace#pictures} makes it a
 * picture). Independent of the sampler, so every sampler's live previews mean the same thing.
 */
final class X0Estimate {
    private X0Estimate() {
    }

    static NDArray of(NDArray xt, NDArray eps, double alphaBar) {
        float keep = (float) (1 / Math.sqrt(alphaBar));
        float drop = (float) (Math.sqrt(1 - alphaBar) / Math.sqrt(alphaBar));
        return xt.mul(keep).sub(eps.mul(drop));
    }
}
