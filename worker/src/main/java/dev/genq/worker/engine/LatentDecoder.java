package dev.genq.worker.engine;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genq.storage.job.ImageSize;
import ai.djl.training.ParameterStore;

/**
 * The {@code vae_decoder} stage of a latent package: latents to pictures, given {@code z / scaling_factor +
 * shift_factor} as diffusers' pipelines give their VAE. Live previews decode the x0 estimate the same way, so they
 * look like what the sample will be.
 */
final class LatentDecoder implements SampleSpace {
    private final Model decoder;
    private final ModelSpec.VaeDecoderSpec spec;

    LatentDecoder(Model decoder, ModelSpec spec) {
        this.decoder = decoder;
        this.spec = spec.vaeDecoder();
    }

    @Override
    public Shape sampleShape(ImageSize size) {
        // declared sizes are multiples of the downsampling (ModelSpec checks): whole latent cells
        return new Shape(spec.latentChannels(), size.height() / spec.downsample(), size.width() / spec.downsample());
    }

    @Override
    public NDArray pictures(NDManager m, NDArray latents) {
        NDArray z = latents.div((float) spec.scalingFactor()).add((float) spec.shiftFactor());
        return decoder.getBlock().forward(new ParameterStore(m, false), new NDList(z), false).singletonOrThrow();
    }

    @Override
    public void close() {
        decoder.close();
    }
}
