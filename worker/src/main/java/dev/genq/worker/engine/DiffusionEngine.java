package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.genq.worker.engine.sampler.Sampler;
import dev.genq.worker.engine.sampler.Samplers;
import dev.genq.worker.engine.sampler.StepNoise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one diffusion stage for a batch of samples, possibly from many jobs: seeded noise per sample,
 * the denoising loop written once for every {@link Sampler}, classifier-free guidance with both
 * branches in one doubled batch, and a {@link StepListener} between steps so a canceled job stops
 * within one step. Plain Java over DJL: no Quarkus here, so it can be tested and benchmarked alone.
 */
public final class DiffusionEngine {
    private final int forwardRows;

    /** @param forwardRows rows per model forward (see {@link FixedShapeBatches}); 0 for one forward per step */
    public DiffusionEngine(int forwardRows) {
        this.forwardRows = forwardRows;
    }

    /** Which sampler, how many steps, and DDIM's eta (ignored by the others). */
    public record Sampling(String sampler, int steps, double eta) {
        public static Sampling ddim(int steps) {
            return new Sampling(Samplers.DDIM, steps, 0);
        }
    }

    /** A text-to-image sample: its seed, prompt tokens and negative-prompt tokens. */
    public record TextSample(long seed, long[] promptTokens, long[] negativeTokens) {
    }

    /** A super-resolution sample: its seed and the low-resolution CHW image in [-1, 1]. */
    public record UpscaleSample(long seed, float[] lowRes) {
    }

    /** The images (CHW floats in [-1, 1], one per sample, in order) and the stage's wall time. */
    public record StageResult(List<float[]> images, int resolution, int steps, double seconds) {
    }

    public StageResult textToImage(LoadedModel model, List<TextSample> samples, Sampling sampling,
                                   double guidanceScale, StepListener listener) {
        requireKind(model, ModelSpec.Kind.TEXT_TO_IMAGE);
        int r = model.spec().resolution();
        SampleStreams streams = new SampleStreams(samples.stream().map(TextSample::seed).toList(), 0,
                new Shape(model.spec().channels(), r, r));
        return textToImage(model, streams.draw(), r, samples.stream().map(TextSample::promptTokens).toArray(long[][]::new),
                samples.stream().map(TextSample::negativeTokens).toArray(long[][]::new), sampling, guidanceScale,
                streams, listener);
    }

    /** The stage with explicit initial and step noise: what the reference tests drive directly. */
    StageResult textToImage(LoadedModel model, float[] initialNoise, int resolution, long[][] prompt, long[][] negative,
                            Sampling sampling, double guidanceScale, StepNoise noise, StepListener listener) {
        long t0 = System.nanoTime();
        int n = prompt.length;
        try (NDManager m = model.manager().newSubManager()) {
            // guidance 1 is the conditional prediction alone: no need for the unconditional branch
            boolean guided = guidanceScale != 1.0;
            long[][] tokens = guided ? concat(prompt, negative) : prompt;
            NDArray cond = encode(model, m, tokens);
            NDArray x = m.create(initialNoise, new Shape(n, model.spec().channels(), resolution, resolution));
            Denoise denoise = (sm, xt, t) -> {
                if (!guided) {
                    return forward(model, sm, xt, t, cond);
                }
                NDArray out = forward(model, sm, xt.concat(xt), t.concat(t), cond);
                NDArray epsCond = out.get("0:" + n);
                NDArray epsUncond = out.get(n + ":");
                return epsUncond.add(epsCond.sub(epsUncond).mul((float) guidanceScale));
            };
            List<float[]> images = loop(model, m, x, n, sampling, denoise, noise, listener, t0);
            return new StageResult(images, resolution, sampling.steps(), (System.nanoTime() - t0) / 1e9);
        }
    }

    public StageResult upscale(LoadedModel model, List<UpscaleSample> samples, Sampling sampling, StepListener listener) {
        requireKind(model, ModelSpec.Kind.SUPER_RESOLUTION);
        long t0 = System.nanoTime();
        int n = samples.size();
        ModelSpec spec = model.spec();
        int r = spec.resolution();
        Shape sampleShape = new Shape(spec.channels(), r, r);
        int plane = (int) sampleShape.size();
        try (NDManager m = model.manager().newSubManager()) {
            float[] lowUp = new float[n * plane];
            for (int i = 0; i < n; i++) {
                float[] up = Images.upsampleBilinear(samples.get(i).lowRes(), spec.channels(), spec.lowResolution(), r);
                System.arraycopy(up, 0, lowUp, i * plane, plane);
            }
            NDArray cond = m.create(lowUp, new Shape(n).addAll(sampleShape));
            SampleStreams streams = new SampleStreams(samples.stream().map(UpscaleSample::seed).toList(), 1, sampleShape);
            NDArray x = m.create(streams.draw(), new Shape(n).addAll(sampleShape));
            Denoise denoise = (sm, xt, t) -> forward(model, sm, xt, t, cond);
            List<float[]> images = loop(model, m, x, n, sampling, denoise, streams, listener, t0);
            return new StageResult(images, r, sampling.steps(), (System.nanoTime() - t0) / 1e9);
        }
    }

    @FunctionalInterface
    private interface Denoise {
        NDArray epsilon(NDManager m, NDArray x, NDArray t);
    }

    /** The denoising loop, written once for every sampler. */
    private List<float[]> loop(LoadedModel model, NDManager m, NDArray x, int n, Sampling sampling, Denoise denoise,
                               StepNoise noise, StepListener listener, long t0) {
        Sampler sampler = Samplers.create(sampling.sampler(), model.schedule(), sampling.eta());
        int[] ts = sampler.setTimesteps(sampling.steps());
        boolean vPrediction = "v".equals(model.spec().prediction());
        for (int i = 0; i < ts.length; i++) {
            try (NDManager step = m.newSubManager()) {
                // intermediates follow x into the step's manager and are freed with it
                x.tempAttach(step);
                float[] tValues = new float[n];
                Arrays.fill(tValues, ts[i]);
                NDArray out = denoise.epsilon(step, x, step.create(tValues));
                NDArray eps = vPrediction ? vToEpsilon(out, x, model.schedule().alphaBar(ts[i])) : out;
                NDArray next = sampler.step(eps, i, x, noise);
                next.attach(m);
                x.close();
                x = next;
            }
            if (!listener.onStep(i + 1, ts.length)) {
                throw new StageCanceledException(i + 1, (System.nanoTime() - t0) / 1e9);
            }
        }
        float[] all = x.toFloatArray();
        int plane = all.length / n;
        List<float[]> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(Arrays.copyOfRange(all, i * plane, (i + 1) * plane));
        }
        return images;
    }

    /** epsilon = sqrt(a) v + sqrt(1 - a) x for a v-prediction model. */
    private static NDArray vToEpsilon(NDArray v, NDArray x, double alphaBar) {
        return v.mul((float) Math.sqrt(alphaBar)).add(x.mul((float) Math.sqrt(1 - alphaBar)));
    }

    private NDArray forward(LoadedModel model, NDManager m, NDArray x, NDArray t, NDArray cond) {
        return FixedShapeBatches.apply(m, forwardRows, new NDList(x, t, cond), in -> model.forward(m, in.get(0), in.get(1), in.get(2)));
    }

    private NDArray encode(LoadedModel model, NDManager m, long[][] tokens) {
        int len = tokens[0].length;
        long[] flat = new long[tokens.length * len];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(tokens[i], 0, flat, i * len, len);
        }
        NDArray ids = m.create(flat, new Shape(tokens.length, len));
        return FixedShapeBatches.apply(m, forwardRows, new NDList(ids), in -> model.encode(m, in.get(0)));
    }

    private static long[][] concat(long[][] a, long[][] b) {
        long[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void requireKind(LoadedModel model, ModelSpec.Kind kind) {
        if (model.spec().kind() != kind) {
            throw new IllegalArgumentException(model.spec().nameAtVersion() + " is not a " + kind + " model");
        }
    }
}
