package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Variations (SDEdit) on the fixture and the shipped emoji-base: strength 0 keeps the source's pixels, strength
 * 1 is the text-to-image run of the same seed, in between the result stays near the source and is
 * bit-reproducible whichever batch it shares.
 */
class VariationTest {
    static final Path MODELS = Path.of("../models").toAbsolutePath().normalize();
    static LoadedModel tiny;
    static LoadedModel emoji;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        dev.genq.storage.inference.OneDnnIsaCap.apply();
        tiny = LoadedModel.load(MODELS.resolve("fixtures/tiny-base"), Device.cpu());
        emoji = LoadedModel.load(MODELS.resolve("emoji-base"), Device.cpu());
    }

    @AfterAll
    static void close() {
        tiny.close();
        emoji.close();
    }

    static DiffusionEngine.TextSample text(LoadedModel model, long seed, String prompt, double guidance) {
        dev.genq.worker.engine.text.PromptTokenizer t = model.tokenizer();
        return new DiffusionEngine.TextSample(seed, t.encode(prompt).ids(), t.encode("").ids(), guidance);
    }

    /** A source the way a worker gets one: a sample's PNG decoded. */
    static float[] source(LoadedModel model, long seed, String prompt, double guidance, int steps) {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        float[] made = engine.textToImage(model, List.of(text(model, seed, prompt, guidance)),
                DiffusionEngine.Sampling.ddim(steps), BatchListener.ALL).image(0);
        int r = model.spec().resolution();
        return Images.fromPng(Images.png(made, r), r);
    }

    @Test
    void strengthZeroKeepsTheSourceBytesAndStrengthOneIsTextToImage() {
        for (LoadedModel model : List.of(tiny, emoji)) {
            DiffusionEngine engine = new DiffusionEngine(2, 1);
            int r = model.spec().resolution();
            float[] src = source(model, 7, "a red apple", 3.0, 8);
            byte[] srcPng = Images.png(src, r);
            var v = new DiffusionEngine.VariationSample(text(model, 99, "a red apple", 3.0), src);

            var zero = engine.vary(model, List.of(v), DiffusionEngine.Sampling.ddim(0), new Strength(0), BatchListener.ALL);
            assertArrayEquals(srcPng, Images.png(zero.image(0), r), model.spec().name() + ": strength 0 gives the source's PNG bytes");
            assertEquals(0, zero.samples().get(0).stepsRun());

            var one = engine.vary(model, List.of(v), DiffusionEngine.Sampling.ddim(8), new Strength(1), BatchListener.ALL);
            var fresh = engine.textToImage(model, List.of(v.text()), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
            assertArrayEquals(fresh.image(0), one.image(0), model.spec().name() + ": strength 1 is text-to-image of the seed");
        }
    }

    @Test
    void aVariationStaysNearItsSourceRunsItsShareOfTheStepsAndIgnoresItsBatch() throws Exception {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        int r = emoji.spec().resolution();
        float[] cat = source(emoji, 42, "a grinning cat", 8.0, 8);
        Path out = Files.createDirectories(Path.of("target/variations"));
        Files.write(out.resolve("source.png"), Images.png(cat, r));
        double[] psnr = new double[3];
        double[] strengths = {0.3, 0.6, 0.9};
        for (int k = 0; k < strengths.length; k++) {
            Strength s = new Strength(strengths[k]);
            var v = new DiffusionEngine.VariationSample(text(emoji, 1000 + k, "a grinning cat", 8.0), cat);
            var alone = engine.vary(emoji, List.of(v), DiffusionEngine.Sampling.ddim(s.steps(8)), s, BatchListener.ALL);
            assertEquals(s.steps(8), alone.samples().get(0).stepsRun(), "runs round(strength x steps)");
            var other = new DiffusionEngine.VariationSample(text(emoji, 5, "pizza", 8.0), source(emoji, 5, "pizza", 8.0, 8));
            var shared = engine.vary(emoji, List.of(other, v), DiffusionEngine.Sampling.ddim(s.steps(8)), s, BatchListener.ALL);
            assertArrayEquals(alone.image(0), shared.image(1), "bit-identical whichever batch it shares");
            ShippedModelPictureTest.assertPicture(alone.image(0), "variation at " + strengths[k]);
            assertFalse(Arrays.equals(cat, alone.image(0)), "a variation is not its source");
            psnr[k] = LivePreviewTest.psnr(alone.image(0), cat);
            Files.write(out.resolve("strength-" + strengths[k] + ".png"), Images.png(alone.image(0), r));
            System.out.printf("strength %.1f: %d of 8 steps, PSNR against the source %.1f dB%n", strengths[k], s.steps(8), psnr[k]);
        }
        assertTrue(psnr[0] > psnr[2], "a stronger variation moves further from its source: " + Arrays.toString(psnr));
        assertTrue(psnr[0] > 18, "a subtle variation keeps the source's picture: " + psnr[0] + " dB");
    }

    /** 1 inside the rectangle (redrawn), 0 outside (kept), for every channel. */
    static float[] rect(int r, int x0, int y0, int w, int h) {
        float[] m = new float[3 * r * r];
        for (int c = 0; c < 3; c++) {
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    m[c * r * r + y * r + x] = 1f;
                }
            }
        }
        return m;
    }

    @Test
    void aRegionIsRedrawnAndEveryPixelOutsideItKeepsItsBytes() throws Exception {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        int r = emoji.spec().resolution();
        float[] cat = source(emoji, 42, "a grinning cat", 8.0, 8);
        java.awt.image.BufferedImage before = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(Images.png(cat, r)));
        int x0 = r / 4, y0 = r / 2, w = r / 2, h = r / 3; // the mouth
        float[] redo = rect(r, x0, y0, w, h);
        Path out = Files.createDirectories(Path.of("target/variations"));
        for (double strength : new double[] {0.75, 1.0}) {
            Strength s = new Strength(strength);
            var v = new DiffusionEngine.VariationSample(text(emoji, 77, "a grinning cat", 8.0), cat, redo);
            var alone = engine.vary(emoji, List.of(v), DiffusionEngine.Sampling.ddim(s.steps(8)), s, BatchListener.ALL);
            var plain = new DiffusionEngine.VariationSample(text(emoji, 5, "pizza", 8.0), source(emoji, 5, "pizza", 8.0, 8));
            var shared = engine.vary(emoji, List.of(plain, v), DiffusionEngine.Sampling.ddim(s.steps(8)), s, BatchListener.ALL);
            assertArrayEquals(alone.image(0), shared.image(1), "bit-identical beside a variation without a region");
            byte[] png = Images.png(alone.image(0), r);
            Files.write(out.resolve("region-" + strength + ".png"), png);
            java.awt.image.BufferedImage after = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            int changedInside = 0;
            for (int y = 0; y < r; y++) {
                for (int x = 0; x < r; x++) {
                    boolean inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
                    if (!inside) {
                        assertEquals(before.getRGB(x, y), after.getRGB(x, y), "strength " + strength + ": pixel " + x + "," + y + " kept");
                    } else if (before.getRGB(x, y) != after.getRGB(x, y)) {
                        changedInside++;
                    }
                }
            }
            System.out.printf("region at strength %.2f: %d of %d pixels inside changed%n", strength, changedInside, w * h);
            assertTrue(changedInside > w * h / 4, "the region is redrawn: " + changedInside + " of " + (w * h));
            ShippedModelPictureTest.assertPicture(alone.image(0), "inpainted at " + strength);
        }
    }

    /**
     * How much the redrawn rectangle disagrees with what surrounds it: the mean absolute difference, over the
     * channels, between each pixel on the rectangle's border and its neighbour just outside it, less the same
     * measure one pixel further out (how much the picture varies there anyway).
     */
    static double seam(float[] img, int r, int x0, int y0, int w, int h) {
        double across = 0;
        double beside = 0;
        int n = 0;
        int plane = r * r;
        for (int x = x0; x < x0 + w; x++) {
            for (int c = 0; c < 3; c++) {
                across += Math.abs(img[c * plane + y0 * r + x] - img[c * plane + (y0 - 1) * r + x]);
                beside += Math.abs(img[c * plane + (y0 - 1) * r + x] - img[c * plane + (y0 - 2) * r + x]);
                across += Math.abs(img[c * plane + (y0 + h - 1) * r + x] - img[c * plane + (y0 + h) * r + x]);
                beside += Math.abs(img[c * plane + (y0 + h) * r + x] - img[c * plane + (y0 + h + 1) * r + x]);
                n += 2;
            }
        }
        for (int y = y0; y < y0 + h; y++) {
            for (int c = 0; c < 3; c++) {
                across += Math.abs(img[c * plane + y * r + x0] - img[c * plane + y * r + x0 - 1]);
                beside += Math.abs(img[c * plane + y * r + x0 - 1] - img[c * plane + y * r + x0 - 2]);
                across += Math.abs(img[c * plane + y * r + x0 + w - 1] - img[c * plane + y * r + x0 + w]);
                beside += Math.abs(img[c * plane + y * r + x0 + w] - img[c * plane + y * r + x0 + w + 1]);
                n += 2;
            }
        }
        return (across - beside) / n;
    }

    @Test
    void resamplingJumpsKeepThePixelsStayReproducibleAndSoftenTheSeam() throws Exception {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        int r = emoji.spec().resolution();
        int x0 = r / 4, y0 = r / 4, w = r / 2, h = r / 2;
        float[] redo = rect(r, x0, y0, w, h);
        Strength one = new Strength(1.0);
        var jumping = DiffusionEngine.Sampling.ddim(8).withResamples(2);

        // kept pixels exact, and the same bits whichever masked sample shares the batch
        float[] cat = source(emoji, 42, "a grinning cat", 8.0, 8);
        var v = new DiffusionEngine.VariationSample(text(emoji, 77, "a cat face", 8.0), cat, redo);
        float[] alone = engine.vary(emoji, List.of(v), jumping, one, BatchListener.ALL).image(0);
        var other = new DiffusionEngine.VariationSample(text(emoji, 5, "pizza", 8.0), source(emoji, 5, "pizza", 8.0, 8),
                rect(r, 0, 0, r / 2, r));
        assertArrayEquals(alone, engine.vary(emoji, List.of(other, v), jumping, one, BatchListener.ALL).image(1),
                "bit-identical beside another masked sample");
        float[] kept = Images.fromPng(Images.png(alone, r), r);
        for (int i = 0; i < redo.length; i++) {
            if (redo[i] == 0f) {
                assertEquals(cat[i], kept[i], "kept value " + i);
            }
        }
        float[] without = engine.vary(emoji, List.of(v), DiffusionEngine.Sampling.ddim(8), one, BatchListener.ALL).image(0);
        assertFalse(Arrays.equals(alone, without), "the jumps change the drawn part");
        // a multistep solver cannot take a step again: it runs as if without resampling
        var dpm = DiffusionEngine.Sampling.deterministic(dev.genq.worker.engine.sampler.Samplers.DPMPP_2M, 8);
        assertArrayEquals(engine.vary(emoji, List.of(v), dpm, one, BatchListener.ALL).image(0),
                engine.vary(emoji, List.of(v), dpm.withResamples(2), one, BatchListener.ALL).image(0));

        // over eight pictures the drawn square agrees better with its surroundings (seam excess, see seam())
        double plain = 0;
        double resampled = 0;
        int softer = 0;
        String[][] prompts = {{"a grinning cat", "a red apple"}, {"a red apple", "a green apple"}, {"a rocket", "a birthday cake"},
                {"a birthday cake", "a cat face"}};
        for (int k = 0; k < 8; k++) {
            String[] p = prompts[k % prompts.length];
            var sample = new DiffusionEngine.VariationSample(text(emoji, 200 + k, p[1], 8.0), source(emoji, 100 + k, p[0], 8.0, 8), redo);
            double s0 = seam(engine.vary(emoji, List.of(sample), DiffusionEngine.Sampling.ddim(8), one, BatchListener.ALL).image(0), r, x0, y0, w, h);
            double s2 = seam(engine.vary(emoji, List.of(sample), jumping, one, BatchListener.ALL).image(0), r, x0, y0, w, h);
            plain += s0 / 8;
            resampled += s2 / 8;
            softer += s2 < s0 ? 1 : 0;
        }
        System.out.printf("seam excess over 8 pictures: %.4f without resampling, %.4f with 2 jumps a step; softer in %d of 8%n",
                plain, resampled, softer);
        assertTrue(resampled < 0.85 * plain, "resampling softens the seam: " + resampled + " vs " + plain);
        assertTrue(softer >= 6, "softer in most pictures: " + softer + " of 8");
    }
}
