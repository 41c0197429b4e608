package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;
import dev.genq.storage.job.Stage;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.genq.worker.engine.sampler.Sampler;
import dev.genq.worker.engine.sampler.Samplers;
import dev.genq.worker.engine.sampler.StepNoise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one diffusion stage for a batch of samples, which may come from many jobs: seeded noise per
 * sample, the denoising loop written once for every {@link Sampler}, classifier-free guidance with both
 * branches in one doubled batch and a guidance scale per sample, and a {@link BatchListener} between
 * steps that can drop samples (a canceled job) while the rest of the batch goes on. Each sample is
 * charged its share of every step it was in. Plain Java over DJL: no Quarkus, so it can be tested and
 * benchmarked alone.
 */
public final class DiffusionEngine {
    private final int textRows;
    private final int imageRows;

    /** @param forwardRows rows per model forward for every stage (see {@link FixedShapeBatches}); 0 = one forward */
    public DiffusionEngine(int forwardRows) {
        this(forwardRows, forwardRows);
    }

    /**
     * @param textRows  rows per forward of text-to-image models (2 = one guided sample, no padding)
     * @param imageRows rows per forward of super-resolution models (1: their forwards are big enough alone)
     */
    public DiffusionEngine(int textRows, int imageRows) {
        this.textRows = textRows;
        this.imageRows = imageRows;
    }

    /**
     * Which sampler, how many steps, DDIM's eta (ignored by the others), and the timestep spacing (null:
     * the package's; set for evaluations and benchmarks that compare spacings on one package).
     */
    /**
     * @param resamples for a run that keeps part of its sources (inpainting): how many times each step but the last
     *                  is taken again after jumping back to its noise level (RePaint's resampling), so the redrawn
     *                  part agrees with the kept part; 0 for none, and ignored by samplers that cannot restart a step
     */
    public record Sampling(String sampler, int steps, double eta, TimestepSpacing spacing, int resamples) {
        public Sampling(String sampler, int steps, double eta) {
            this(sampler, steps, eta, null, 0);
        }

        public Sampling(String sampler, int steps, double eta, TimestepSpacing spacing) {
            this(sampler, steps, eta, spacing, 0);
        }

        public Sampling withResamples(int n) {
            return new Sampling(sampler, steps, eta, spacing, n);
        }

        NoiseSchedule schedule(LoadedModel model) {
            return spacing == null ? model.schedule() : model.schedule().withSpacing(spacing);
        }

        public static Sampling ddim(int steps) {
            return deterministic(Samplers.DDIM, steps);
        }

        /** eta 0: what jobs run (a job has no eta parameter; the samplers accept one for reference tests). */
        public static Sampling deterministic(String sampler, int steps) {
            return new Sampling(sampler, steps, 0);
        }
    }

    /** What one sample brings to a stage: prompt tokens for the base stage, an image for super-resolution. */
    public sealed interface SampleInput permits TextSample, UpscaleSample, VariationSample {
        long seed();
    }

    /** A text-to-image sample: its seed, prompt and negative-prompt tokens, and guidance scale. */
    public record TextSample(long seed, long[] promptTokens, long[] negativeTokens, double guidanceScale) implements SampleInput {
    }

    /**
     * A super-resolution sample: its seed and its preview already upsampled to the model's resolution (CHW
     * in [-1, 1]; {@code stage.LowResInput} prepares it).
     */
    public record UpscaleSample(long seed, float[] upsampled) implements SampleInput {
    }

    /**
     * A variation sample: a text sample that starts from {@code source} (CHW in [-1, 1] at the model's
     * resolution; {@code stage.SourceImageInput} prepares it) instead of pure noise; with {@code redo} (1 where
     * redrawn, 0 where kept, same layout), only that region is redrawn and the rest kept exactly.
     */
    public record VariationSample(TextSample text, float[] source, float[] redo) implements SampleInput {
        /** The whole image redrawn. */
        public VariationSample(TextSample text, float[] source) {
            this(text, source, null);
        }

        @Override
        public long seed() {
            return text.seed();
        }
    }

    /**
     * One sample's result: its image (CHW floats in [-1, 1]), or null if it was dropped before the end;
     * the steps it ran and the compute seconds it is charged (its share of each step's wall time).
     */
    public record SampleResult(float[] image, int stepsRun, double seconds) {
        public boolean completed() {
            return image != null;
        }

        /** How many of the image's values are NaN or infinite (0 for a dropped sample). */
        public int nonFiniteValues() {
            int n = 0;
            if (image != null) {
                for (float v : image) {
                    if (!Float.isFinite(v)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** @param size the pictures' (every sample of a stage has the same) */
    public record StageResult(List<SampleResult> samples, ImageSize size, int steps, double seconds) {
        public float[] image(int i) {
            return samples.get(i).image();
        }
    }

    /** Text to pictures at the model's native size. */
    public StageResult textToImage(LoadedModel model, List<TextSample> samples, Sampling sampling, BatchListener listener) {
        return textToImage(model, samples, model.spec().nativeSize(), sampling, listener);
    }

    /** Text to pictures of {@code size}, one the package declares. */
    public StageResult textToImage(LoadedModel model, List<TextSample> samples, ImageSize size, Sampling sampling,
                                   BatchListener listener) {
        requireKind(model, Stage.BASE);
        requireSize(model, size);
        Shape sampleShape = model.space().sampleShape(size);
        SampleStreams streams = new SampleStreams(samples.stream().map(TextSample::seed).toList(), 0, sampleShape);
        return textToImage(model, streams.draw(), sampleShape, null, false, null, Integer.MAX_VALUE,
                samples.stream().map(TextSample::promptTokens).toArray(long[][]::new),
                samples.stream().map(TextSample::negativeTokens).toArray(long[][]::new),
                samples.stream().mapToDouble(TextSample::guidanceScale).toArray(), sampling, streams, listener);
    }

    /**
     * Variations of source images (SDEdit): each source noised to the strength's share of the schedule and
     * denoised with its prompt. {@code sampling.steps()} are the steps it runs ({@link Strength#steps} of the
     * job's). The noise streams are text-to-image's, so strength 1 is exactly the text-to-image run of the same
     * seed, and strength 0 returns the sources untouched.
     */
    public StageResult vary(LoadedModel model, List<VariationSample> samples, Sampling sampling, Strength strength,
                            BatchListener listener) {
        requireKind(model, Stage.BASE);
        if (!model.takesImageInputs()) {
            throw new IllegalArgumentException(model.spec().nameAtVersion() + " draws latents and has no VAE encoder: it "
                    + "cannot start from an image");
        }
        ImageSize size = model.spec().nativeSize(); // image inputs are at the native square (the gateway checks)
        Shape sampleShape = model.space().sampleShape(size);
        int plane = (int) sampleShape.size();
        if (strength.value() == 0) {
            List<SampleResult> unchanged = samples.stream().map(v -> new SampleResult(v.source().clone(), 0, 0)).toList();
            return new StageResult(unchanged, size, 0, 0);
        }
        SampleStreams streams = new SampleStreams(samples.stream().map(VariationSample::seed).toList(), 0, sampleShape);
        float[] sources = stack(samples.stream().map(VariationSample::source).toList(), plane, "a variation's source");
        float[] redo = null;
        if (samples.stream().anyMatch(v -> v.redo() != null)) {
            float[] everything = new float[plane];
            Arrays.fill(everything, 1f); // a sample without a region in a batch with one: all of it is redrawn
            redo = stack(samples.stream().map(v -> v.redo() == null ? everything : v.redo()).toList(), plane, "a region mask");
        }
        List<TextSample> text = samples.stream().map(VariationSample::text).toList();
        // strength 1 starts from the seed's noise alone; a region still keeps its pixels from the sources
        return textToImage(model, streams.draw(), sampleShape, sources, strength.fromSource(), redo,
                strength.limit(model.schedule().timesteps()),
                text.stream().map(TextSample::promptTokens).toArray(long[][]::new),
                text.stream().map(TextSample::negativeTokens).toArray(long[][]::new),
                text.stream().mapToDouble(TextSample::guidanceScale).toArray(), sampling, streams, listener);
    }

    /**
     * The stage with explicit initial and step noise of {@code sampleShape} (the denoiser's [C, H, W], which the
     * reference tests choose smaller than the package's): what they drive directly.
     */
    StageResult textToImage(LoadedModel model, float[] initialNoise, Shape sampleShape, long[][] prompt, long[][] negative,
                            double[] guidance, Sampling sampling, StepNoise noise, BatchListener listener) {
        return textToImage(model, initialNoise, sampleShape, null, false, null, Integer.MAX_VALUE, prompt, negative, guidance,
                sampling, noise, listener);
    }

    /**
     * @param sources    the source images of a variation, else null
     * @param fromSources start from the sources noised to the run's first timestep, not from {@code initialNoise} alone
     * @param redo       null: every pixel drawn; else per value 1 (drawn) or 0 (kept from the sources)
     */
    private StageResult textToImage(LoadedModel model, float[] initialNoise, Shape sampleShape, float[] sources,
                                    boolean fromSources, float[] redo,
                                    int limit,
                                    long[][] prompt, long[][] negative, double[] guidance, Sampling sampling,
                                    StepNoise noise, BatchListener listener) {
        long t0 = System.nanoTime();
        int n = prompt.length;
        try (NDManager m = model.manager().newSubManager()) {
            // guidance 1 is the conditional prediction alone: without any other scale, skip the other branch
            boolean guided = Arrays.stream(guidance).anyMatch(g -> g != 1.0);
            NDArray cond = encode(model, m, guided ? concat(prompt, negative) : prompt);
            Run run = new Run(model, m, n, sampling, limit, noise, listener, t0);
            Shape shape = new Shape(n).addAll(sampleShape);
            if (redo != null) {
                run.known = new KnownRegion(m, redo, sources, initialNoise.clone(), shape);
            }
            if (fromSources) {
                NoisedStart.mix(sources, initialNoise, model.schedule().alphaBar(run.ts[0]));
            }
            run.x = m.create(initialNoise, shape);
            run.cond = cond;
            run.guided = guided;
            run.guidance = guidance.clone();
            return run.execute();
        }
    }

    /** Super-resolution to the model's native size. */
    public StageResult upscale(LoadedModel model, List<UpscaleSample> samples, Sampling sampling, BatchListener listener) {
        return upscale(model, samples, model.spec().nativeSize(), sampling, listener);
    }

    /** Super-resolution to {@code size} (one the package declares); each sample's upsampled input is already at it. */
    public StageResult upscale(LoadedModel model, List<UpscaleSample> samples, ImageSize size, Sampling sampling,
                               BatchListener listener) {
        requireKind(model, Stage.SUPER_RESOLUTION);
        requireSize(model, size);
        long t0 = System.nanoTime();
        int n = samples.size();
        ModelSpec spec = model.spec();
        Shape sampleShape = model.space().sampleShape(size);
        int plane = (int) sampleShape.size();
        try (NDManager m = model.manager().newSubManager()) {
            float[] lowUp = stack(samples.stream().map(UpscaleSample::upsampled).toList(), plane, "an upscale sample");
            SampleStreams streams = new SampleStreams(samples.stream().map(UpscaleSample::seed).toList(), 1, sampleShape);
            float[] start = streams.draw();
            int limit = spec.startTimestep() > 0 ? spec.startTimestep() : Integer.MAX_VALUE;
            Run run = new Run(model, m, n, sampling, limit, streams, listener, t0);
            if (spec.startTimestep() > 0) {
                // start from the upsampled low-res image noised to the sampler's first timestep, not from pure
                // noise: the model then only adds the detail the upsample lacks (SDEdit-style; models/README.md)
                NoisedStart.mix(lowUp, start, model.schedule().alphaBar(run.ts[0]));
            }
            run.x = m.create(start, new Shape(n).addAll(sampleShape));
            run.cond = m.create(lowUp, new Shape(n).addAll(sampleShape));
            return run.execute();
        }
    }

    /** The state of one stage's denoising loop over the samples still in the batch. */
    private final class Run {
        final LoadedModel model;
        final NDManager m;
        final int n0;
        final Sampling sampling;
        final StepNoise noise;
        final BatchListener listener;
        final long t0;
        final int[] stepsRun;
        final double[] seconds;
        final Sampler sampler;
        final int[] ts;          // the timesteps visited, noisiest first (told to the sampler once)
        NDArray x;
        NDArray cond;            // text: [cond rows; uncond rows] when guided; image: low-res rows
        KnownRegion known;       // inpainting: the pixels kept from the sources; null when every pixel is drawn
        boolean guided;
        double[] guidance;       // per current row, text stage only
        int[] rows;              // current row -> original sample index

        /** @param limit timesteps visited are below this one (a partly noised start), else MAX_VALUE */
        Run(LoadedModel model, NDManager m, int n, Sampling sampling, int limit, StepNoise noise,
            BatchListener listener, long t0) {
            this.model = model;
            this.m = m;
            this.n0 = n;
            this.sampling = sampling;
            this.noise = noise;
            this.listener = listener;
            this.t0 = t0;
            this.stepsRun = new int[n];
            this.seconds = new double[n];
            this.rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = i;
            }
            this.sampler = Samplers.create(sampling.sampler(), sampling.schedule(model), sampling.eta());
            this.ts = sampler.setTimesteps(sampling.steps(), limit);
        }

        /** The loop; the pictures' side is what the sample space answers (the picture's, or the decoded latents'). */
        StageResult execute() {
            Prediction prediction = model.spec().prediction();
            for (int i = 0; i < ts.length && rows.length > 0; i++) {
                long stepStart = System.nanoTime();
                long previewNanos = 0;
                try (NDManager step = m.newSubManager()) {
                    // intermediates follow x into the step's manager and are freed with it
                    x.tempAttach(step);
                    NDArray eps = guidedEpsilon(step, x, ts[i], prediction);
                    if (i + 1 < ts.length && listener.previews().wants(i + 1, ts.length)) {
                        long previewStart = System.nanoTime();
                        NDArray x0 = X0Estimate.of(x, eps, model.schedule().alphaBar(ts[i]));
                        NDArray preview = pictures(model, step, x0);
                        listener.previews().take(i + 1, ts.length, rows.clone(), preview.toFloatArray(),
                                sizeOf(preview));
                        previewNanos = System.nanoTime() - previewStart; // not billed as the samples' compute
                    }
                    NDArray next = sampler.step(eps, i, x, noise);
                    if (known != null) {
                        next = keepKnown(step, next, i, prediction);
                    }
                    next.attach(m);
                    x.close();
                    x = next;
                }
                double share = (System.nanoTime() - stepStart - previewNanos) / 1e9 / rows.length;
                for (int row : rows) {
                    stepsRun[row]++;
                    seconds[row] += share;
                }
                boolean[] alive = listener.onStep(i + 1, ts.length);
                if (alive != null) {
                    dropStopped(alive, sampler);
                }
            }
            long decodeStart = System.nanoTime();
            NDArray pictures = rows.length == 0 ? null : pictures(model, m, x);
            float[] all = pictures == null ? new float[0] : pictures.toFloatArray();
            ImageSize size = pictures == null ? model.spec().nativeSize() : sizeOf(pictures);
            for (int row : rows) { // decoding latents is the samples' compute too (for pixels it is a copy)
                seconds[row] += (System.nanoTime() - decodeStart) / 1e9 / rows.length;
            }
            int plane = rows.length == 0 ? 0 : all.length / rows.length;
            float[][] images = new float[n0][];
            for (int k = 0; k < rows.length; k++) {
                images[rows[k]] = Arrays.copyOfRange(all, k * plane, (k + 1) * plane);
            }
            List<SampleResult> results = new ArrayList<>(n0);
            for (int i = 0; i < n0; i++) {
                results.add(new SampleResult(images[i], stepsRun[i], seconds[i]));
            }
            return new StageResult(results, size, sampling.steps(), (System.nanoTime() - t0) / 1e9);
        }

        /**
         * Step {@code i}'s result with the kept pixels put back at the next level; with resampling, the step taken
         * again after each jump back to its own level with fresh noise, so the drawn part follows the kept part.
         */
        NDArray keepKnown(NDManager step, NDArray next, int i, Prediction prediction) {
            double levelAfter = i + 1 < ts.length ? model.schedule().alphaBar(ts[i + 1]) : 1.0;
            NDArray kept = known.composite(next, levelAfter);
            int jumps = i + 1 < ts.length && sampler.restartable() ? sampling.resamples() : 0;
            for (int jump = 0; jump < jumps; jump++) {
                NDArray back = KnownRegion.renoise(kept, levelAfter, model.schedule().alphaBar(ts[i]), noise.next(step, i));
                kept = known.composite(sampler.step(guidedEpsilon(step, back, ts[i], prediction), i, back, noise), levelAfter);
            }
            return kept;
        }

        /** The noise prediction for {@code xt} at timestep {@code t}, guided, as epsilon whatever the model predicts. */
        NDArray guidedEpsilon(NDManager step, NDArray xt, int t, Prediction prediction) {
            float[] tValues = new float[rows.length];
            Arrays.fill(tValues, t);
            NDArray out = epsilon(step, xt, step.create(tValues));
            return prediction.toEpsilon(out, xt, model.schedule().alphaBar(t));
        }

        /** Classifier-free guidance per row; rows with scale 1 take the conditional prediction exactly. */
        NDArray epsilon(NDManager sm, NDArray xt, NDArray t) {
            if (!guided) {
                return forward(model, sm, xt, t, cond);
            }
            int n = rows.length;
            NDArray out = forward(model, sm, xt.concat(xt), t.concat(t), cond);
            NDArray epsCond = out.get("0:" + n);
            NDArray epsUncond = out.get(n + ":");
            float[] g = new float[n];
            float[] plain = new float[n];
            for (int k = 0; k < n; k++) {
                g[k] = (float) guidance[k];
                plain[k] = guidance[k] == 1.0 ? 1f : 0f;
            }
            Shape perRow = new Shape(n, 1, 1, 1);
            NDArray guidedEps = epsUncond.add(epsCond.sub(epsUncond).mul(sm.create(g, perRow)));
            NDArray keepCond = sm.create(plain, perRow);
            // x*1 and x*0 + y are exact in IEEE arithmetic, so a scale-1 row is bit-identical to running alone
            return epsCond.mul(keepCond).add(guidedEps.mul(keepCond.neg().add(1f)));
        }

        void dropStopped(boolean[] alive, Sampler sampler) {
            int kept = 0;
            for (int row : rows) {
                if (alive[row]) {
                    kept++;
                }
            }
            if (kept == rows.length) {
                return;
            }
            int[] keepPositions = new int[kept];
            int[] keepRows = new int[kept];
            double[] keepGuidance = guidance == null ? null : new double[kept];
            for (int k = 0, j = 0; k < rows.length; k++) {
                if (alive[rows[k]]) {
                    keepPositions[j] = k;
                    keepRows[j] = rows[k];
                    if (keepGuidance != null) {
                        keepGuidance[j] = guidance[k];
                    }
                    j++;
                }
            }
            int n = rows.length;
            x = take(x, keepPositions);
            if (guided) {
                int[] both = new int[2 * kept];
                for (int j = 0; j < kept; j++) {
                    both[j] = keepPositions[j];
                    both[kept + j] = n + keepPositions[j];
                }
                cond = take(cond, both);
            } else {
                cond = take(cond, keepPositions);
            }
            guidance = keepGuidance;
            noise.retainRows(keepPositions);
            sampler.retainRows(keepPositions);
            if (known != null) {
                known.retainRows(keepPositions);
            }
            rows = keepRows;
        }

        NDArray take(NDArray a, int[] positions) {
            if (positions.length == 0) {
                return a;
            }
            NDArray taken = a.get(new NDIndex("{}", m.create(positions)));
            a.close();
            return taken;
        }
    }

    /**
     * Samples (or an x0 estimate) as pictures clipped to [-1, 1], as diffusers' post-processing clips them: a latent
     * package's decoder runs in fixed-shape chunks like every other forward, so a sample's pixels do not depend on
     * its batch, and a real VAE's memory stays bounded.
     */
    private NDArray pictures(LoadedModel model, NDManager m, NDArray samples) {
        int rows = model.spec().kind() == Stage.BASE ? textRows : imageRows;
        return FixedShapeBatches.apply(m, rows, new NDList(samples), in -> model.space().pictures(m, in.get(0))).clip(-1f, 1f);
    }

    /** Per-sample images of {@code plane} values each, one after the other, as the batch's rows. */
    private static float[] stack(List<float[]> images, int plane, String what) {
        float[] rows = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != plane) {
                throw new IllegalArgumentException(what + " must have " + plane + " values, got " + image.length);
            }
            System.arraycopy(image, 0, rows, i * plane, plane);
        }
        return rows;
    }

    private NDArray forward(LoadedModel model, NDManager m, NDArray x, NDArray t, NDArray cond) {
        int rows = model.spec().kind() == Stage.BASE ? textRows : imageRows;
        return FixedShapeBatches.apply(m, rows, new NDList(x, t, cond), in -> model.forward(m, in.get(0), in.get(1), in.get(2)));
    }

    private NDArray encode(LoadedModel model, NDManager m, long[][] tokens) {
        int len = tokens[0].length;
        long[] flat = new long[tokens.length * len];
        for (int i = 0; i < tokens.length; i++) {
            System.arraycopy(tokens[i], 0, flat, i * len, len);
        }
        NDArray ids = m.create(flat, new Shape(tokens.length, len));
        return FixedShapeBatches.apply(m, textRows, new NDList(ids), in -> model.encode(m, in.get(0)));
    }

    private static long[][] concat(long[][] a, long[][] b) {
        long[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void requireKind(LoadedModel model, Stage kind) {
        if (model.spec().kind() != kind) {
            throw new IllegalArgumentException(model.spec().nameAtVersion() + " is not a " + kind + " model");
        }
    }

    private static void requireSize(LoadedModel model, ImageSize size) {
        if (!model.spec().draws(size)) {
            throw new IllegalArgumentException(model.spec().nameAtVersion() + " does not draw " + size + "; its sizes are "
                    + model.spec().sizes());
        }
    }

    /** The size of pictures [N, C, height, width]. */
    private static ImageSize sizeOf(NDArray pictures) {
        return new ImageSize((int) pictures.getShape().get(3), (int) pictures.getShape().get(2));
    }
}
