package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Runs one diffusion stage for a batch of samples: seeded noise, a DDIM denoising loop with
 * classifier-free guidance (conditional and unconditional branches in one doubled batch), and the
 * listener consulted between steps so a canceled job stops within one step.
 */
public final class DiffusionEngine {

    /** A text-to-image sample: its seed, prompt tokens and negative-prompt tokens. */
    public record TextSample(long seed, long[] promptTokens, long[] negativeTokens) {
    }

    /** A super-resolution sample: its seed and the low-resolution CHW image in [-1, 1]. */
    public record UpscaleSample(long seed, float[] lowRes) {
    }

    /** The images (CHW floats in [-1, 1], one per sample, in order) and the stage's wall time. */
    public record StageResult(List<float[]> images, int resolution, int steps, double seconds) {
    }

    public StageResult textToImage(LoadedModel model, List<TextSample> samples, int steps, double guidanceScale,
                                   StepListener listener) {
        requireKind(model, ModelSpec.Kind.TEXT_TO_IMAGE);
        long t0 = System.nanoTime();
        int n = samples.size();
        try (NDManager m = model.manager().newSubManager()) {
            boolean guided = guidanceScale != 1.0;
            long[][] tokens = new long[guided ? 2 * n : n][];
            for (int i = 0; i < n; i++) {
                tokens[i] = samples.get(i).promptTokens();
                if (guided) {
                    tokens[n + i] = samples.get(i).negativeTokens();
                }
            }
            NDArray cond = model.encode(m, tokens);
            float[] noise = noise(model, samples.stream().mapToLong(TextSample::seed).toArray(), 0);
            NDArray x = m.create(noise, imageShape(model, n));
            Denoise denoise = (sm, xt, t) -> {
                if (!guided) {
                    return model.forward(sm, xt, t, cond);
                }
                NDArray out = model.forward(sm, NDArrays.concat(new ai.djl.ndarray.NDList(xt, xt)),
                        NDArrays.concat(new ai.djl.ndarray.NDList(t, t)), cond);
                NDArray epsCond = out.get("0:" + n);
                NDArray epsUncond = out.get(n + ":");
                return epsUncond.add(epsCond.sub(epsUncond).mul((float) guidanceScale));
            };
            return new StageResult(ddim(model, m, x, n, steps, denoise, listener, t0), model.spec().resolution(),
                    steps, (System.nanoTime() - t0) / 1e9);
        }
    }

    public StageResult upscale(LoadedModel model, List<UpscaleSample> samples, int steps, StepListener listener) {
        requireKind(model, ModelSpec.Kind.SUPER_RESOLUTION);
        long t0 = System.nanoTime();
        int n = samples.size();
        ModelSpec spec = model.spec();
        int plane = spec.channels() * spec.resolution() * spec.resolution();
        try (NDManager m = model.manager().newSubManager()) {
            float[] lowUp = new float[n * plane];
            for (int i = 0; i < n; i++) {
                float[] up = Images.upsampleBilinear(samples.get(i).lowRes(), spec.channels(), spec.lowResolution(),
                        spec.resolution());
                System.arraycopy(up, 0, lowUp, i * plane, plane);
            }
            NDArray cond = m.create(lowUp, imageShape(model, n));
            float[] noise = noise(model, samples.stream().mapToLong(UpscaleSample::seed).toArray(), 1);
            NDArray x = m.create(noise, imageShape(model, n));
            Denoise denoise = (sm, xt, t) -> model.forward(sm, xt, t, cond);
            return new StageResult(ddim(model, m, x, n, steps, denoise, listener, t0), spec.resolution(), steps,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    @FunctionalInterface
    private interface Denoise {
        NDArray epsilon(NDManager m, NDArray x, NDArray t);
    }

    /** Deterministic DDIM (eta = 0) with x0 clipped to [-1, 1]. */
    private List<float[]> ddim(LoadedModel model, NDManager m, NDArray x, int n, int steps, Denoise denoise,
                               StepListener listener, long t0) {
        NoiseSchedule schedule = model.schedule();
        int[] ts = schedule.spacedTimesteps(steps);
        boolean vPrediction = "v".equals(model.spec().prediction());
        for (int i = 0; i < steps; i++) {
            try (NDManager step = m.newSubManager()) {
                double aT = schedule.alphaBar(ts[i]);
                double aPrev = i + 1 < steps ? schedule.alphaBar(ts[i + 1]) : 1.0;
                float[] tValues = new float[n];
                java.util.Arrays.fill(tValues, ts[i]);
                // intermediates follow x into the step's manager and are freed with it
                x.tempAttach(step);
                NDArray xs = x;
                NDArray out = denoise.epsilon(step, xs, step.create(tValues));
                NDArray x0;
                if (vPrediction) {
                    x0 = xs.mul((float) Math.sqrt(aT)).sub(out.mul((float) Math.sqrt(1 - aT)));
                } else {
                    x0 = xs.sub(out.mul((float) Math.sqrt(1 - aT))).div((float) Math.sqrt(aT));
                }
                x0 = x0.clip(-1f, 1f);
                NDArray eps = xs.sub(x0.mul((float) Math.sqrt(aT))).div((float) Math.sqrt(1 - aT));
                NDArray next = x0.mul((float) Math.sqrt(aPrev)).add(eps.mul((float) Math.sqrt(1 - aPrev)));
                next.attach(m);
                x.close();
                x = next;
            }
            if (!listener.onStep(i + 1, steps)) {
                throw new StageCanceledException(i + 1, (System.nanoTime() - t0) / 1e9);
            }
        }
        float[] all = x.toFloatArray();
        int plane = all.length / n;
        List<float[]> images = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(java.util.Arrays.copyOfRange(all, i * plane, (i + 1) * plane));
        }
        return images;
    }

    private static float[] noise(LoadedModel model, long[] seeds, int stage) {
        ModelSpec spec = model.spec();
        int plane = spec.channels() * spec.resolution() * spec.resolution();
        float[] out = new float[seeds.length * plane];
        for (int i = 0; i < seeds.length; i++) {
            System.arraycopy(SeededNoise.gaussian(SeededNoise.stageSeed(seeds[i], stage), plane), 0, out, i * plane, plane);
        }
        return out;
    }

    private static Shape imageShape(LoadedModel model, int n) {
        ModelSpec spec = model.spec();
        return new Shape(n, spec.channels(), spec.resolution(), spec.resolution());
    }

    private static void requireKind(LoadedModel model, ModelSpec.Kind kind) {
        if (model.spec().kind() != kind) {
            throw new IllegalArgumentException(model.spec().nameAtVersion() + " is not a " + kind + " model");
        }
    }
}
