package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The part of each source image a run must keep (inpainting, RePaint-style): after every step the kept pixels
 * are replaced by the source noised to the level of the step that follows, with the noise the run started
 * from, and after the last step by the source itself, so they come out exactly as they went in. Rows follow
 * the run's rows as samples leave it. With resampling (RePaint), each step is taken again a few times after a
 * jump back to its noise level ({@link #renoise}), which lets the drawn part agree with the kept part.
 */
final class KnownRegion {
    private NDArray redo;   // 1 where the model draws, 0 where the source is kept; [rows, C, R, R]
    private NDArray source; // the source images
    private NDArray noise;  // the noise the run started from (before it was mixed with the source)

    /**
     * @param redo   per sample, 1 where it is redrawn and 0 where it is kept (flattened CHW); all 1 for a
     *               sample without a region
     */
    KnownRegion(NDManager m, float[] redo, float[] source, float[] noise, Shape shape) {
        this.redo = m.create(redo, shape);
        this.source = m.create(source, shape);
        this.noise = m.create(noise, shape);
    }

    /** {@code x} with its kept pixels set to the source at noise level {@code alphaBar} (1: the source exactly). */
    NDArray composite(NDArray x, double alphaBar) {
        NDArray known = alphaBar >= 1.0 ? source
                : source.mul((float) Math.sqrt(alphaBar)).add(noise.mul((float) Math.sqrt(1 - alphaBar)));
        // x*1 + known*0 and x*0 + known*1 are exact: kept pixels are the source's bits at the end
        return x.mul(redo).add(known.mul(redo.neg().add(1f)));
    }

    /**
     * {@code x} at noise level {@code fromAlphaBar} taken back to the noisier {@code toAlphaBar} by the forward
     * process: x·√(ᾱto/ᾱfrom) + z·√(1 − ᾱto/ᾱfrom), with {@code z} fresh noise of each sample's stream.
     */
    static NDArray renoise(NDArray x, double fromAlphaBar, double toAlphaBar, NDArray z) {
        double keep = toAlphaBar / fromAlphaBar;
        return x.mul((float) Math.sqrt(keep)).add(z.mul((float) Math.sqrt(1 - keep)));
    }

    /** Keeps the rows at {@code positions}, in that order. */
    void retainRows(int[] positions) {
        NDManager m = redo.getManager();
        NDArray index = m.create(positions);
        redo = take(redo, index);
        source = take(source, index);
        noise = take(noise, index);
        index.close();
    }

    private static NDArray take(NDArray a, NDArray index) {
        NDArray taken = a.get(new NDIndex("{}", index));
        a.close();
        return taken;
    }
}
