package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.genq.storage.inference.Tokenizer;
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
        Tokenizer t = model.tokenizer();
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
}
