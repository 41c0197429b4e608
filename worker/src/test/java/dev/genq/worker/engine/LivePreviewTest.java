package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live previews of the shipped emoji-base: what the engine hands a {@link PreviewTap} is the model's estimate
 * of each finished sample, it becomes the final picture as the steps go, and taking it changes no sample.
 */
class LivePreviewTest {
    static final Path BASE = Path.of("../models/emoji-base").toAbsolutePath().normalize();
    static LoadedModel base;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        dev.genq.storage.inference.OneDnnIsaCap.apply();
        base = LoadedModel.load(BASE, Device.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    /** What a tap was given, per step. */
    record Taken(int step, int total, int[] samples, float[] x0, ImageSize size) {
    }

    static final class EveryOther implements PreviewTap {
        final List<Taken> taken = new ArrayList<>();

        @Override
        public boolean wants(int stepsDone, int stepsTotal) {
            return stepsDone % 2 == 0;
        }

        @Override
        public void take(int stepsDone, int stepsTotal, int[] samples, float[] x0, ImageSize size) {
            taken.add(new Taken(stepsDone, stepsTotal, samples, x0, size));
        }
    }

    @Test
    void theEstimatesBecomeTheFinalPictureAndChangeNothing() throws Exception {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        dev.genq.worker.engine.text.PromptTokenizer tokens = base.tokenizer();
        List<DiffusionEngine.TextSample> samples = List.of(
                new DiffusionEngine.TextSample(42, tokens.encode("a grinning cat").ids(), tokens.encode("").ids(), 8.0),
                new DiffusionEngine.TextSample(43, tokens.encode("a red apple").ids(), tokens.encode("").ids(), 8.0));
        DiffusionEngine.Sampling sampling = DiffusionEngine.Sampling.ddim(8);
        var plain = engine.textToImage(base, samples, sampling, BatchListener.ALL);
        EveryOther tap = new EveryOther();
        var watched = engine.textToImage(base, samples, sampling, new BatchListener() {
            @Override
            public boolean[] onStep(int stepsDone, int stepsTotal) {
                return null;
            }

            @Override
            public PreviewTap previews() {
                return tap;
            }
        });
        for (int i = 0; i < samples.size(); i++) {
            assertArrayEquals(plain.image(i), watched.image(i), "a watched sample is bit-identical to an unwatched one");
        }
        assertEquals(List.of(2, 4, 6), tap.taken.stream().map(Taken::step).toList(), "every other step, never the last");
        int r = base.spec().resolution();
        Path out = Files.createDirectories(Path.of("target/live-previews"));
        for (Taken t : tap.taken) {
            assertEquals(8, t.total());
            assertArrayEquals(new int[] {0, 1}, t.samples());
            assertEquals(2 * 3 * r * r, t.x0().length);
            assertEquals(ImageSize.square(r), t.size());
        }
        for (int i = 0; i < samples.size(); i++) {
            float[] last = null;
            double previous = Double.NEGATIVE_INFINITY;
            for (Taken t : tap.taken) {
                float[] x0 = java.util.Arrays.copyOfRange(t.x0(), i * 3 * r * r, (i + 1) * 3 * r * r);
                Files.write(out.resolve("sample" + i + "-step" + t.step() + ".png"), Images.png(x0, r));
                for (float v : x0) {
                    assertTrue(v >= -1f && v <= 1f, "an estimate is an image: clipped to [-1, 1]");
                }
                double psnr = psnr(x0, plain.image(i));
                System.out.printf("sample %d step %d/8: PSNR against the final sample %.1f dB%n", i, t.step(), psnr);
                assertTrue(psnr >= previous - 0.5 || psnr > 30, "the estimate approaches the final sample: " + psnr);
                previous = psnr;
                last = x0;
            }
            Files.write(out.resolve("sample" + i + "-final.png"), Images.png(plain.image(i), r));
            ShippedModelPictureTest.assertPicture(last, "sample " + i + "'s last preview");
            assertTrue(previous > 15, "two steps before the end the preview shows the final picture: " + previous + " dB");
        }
    }

    static double psnr(float[] a, float[] b) {
        double mse = 0;
        for (int i = 0; i < a.length; i++) {
            mse += Math.pow(a[i] - b[i], 2);
        }
        return 10 * Math.log10(4.0 / (mse / a.length)); // range [-1, 1]: peak-to-peak 2
    }
}
