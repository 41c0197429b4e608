package dev.genq.worker.engine;

import dev.genq.worker.stage.LowResInput;

import dev.genq.storage.inference.Tokenizer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine alone, on the fixture packages through real DJL + libtorch. */
class DiffusionEngineTest {
    static final Path FIXTURES = Path.of("../models/fixtures").toAbsolutePath().normalize();
    static LoadedModel base;
    static LoadedModel sr;
    final DiffusionEngine engine = new DiffusionEngine(8);

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        base = LoadedModel.load(FIXTURES.resolve("tiny-base"), Device.cpu());
        sr = LoadedModel.load(FIXTURES.resolve("tiny-sr"), Device.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
        sr.close();
    }

    DiffusionEngine.TextSample sample(long seed, String prompt) {
        return new DiffusionEngine.TextSample(seed, base.tokenizer().encode(prompt).ids(), base.tokenizer().encode("").ids(), 3.0);
    }

    @Test
    void sameSeedAndInputsGiveBitIdenticalPngs() {
        var a = engine.textToImage(base, List.of(sample(11, "a red apple"), sample(12, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        var b = engine.textToImage(base, List.of(sample(11, "a red apple"), sample(12, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(a.image(i), b.image(i));
            assertArrayEquals(Images.png(a.image(i), 32), Images.png(b.image(i), 32));
        }
        assertFalse(java.util.Arrays.equals(a.image(0), a.image(1)), "each seed its own image");
    }

    @Test
    void aSamplesPngIsBitIdenticalWhicheverBatchItShares() {
        // fixed-shape forwards of 8 rows: alone (2 rows with guidance, padded to 8), among 3 (6 rows), and
        // as the last of 6 samples, whose rows fall into the second chunk
        var alone = engine.textToImage(base, List.of(sample(11, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        var three = engine.textToImage(base, List.of(sample(99, "a blue cat"), sample(11, "a red apple"),
                sample(5, "pizza")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        var six = engine.textToImage(base, List.of(sample(1, "x"), sample(2, "y"), sample(3, "z"), sample(4, "cat"),
                sample(6, "dog"), sample(11, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        assertArrayEquals(alone.image(0), three.image(1));
        assertArrayEquals(alone.image(0), six.image(5));
        assertArrayEquals(Images.png(alone.image(0), 32), Images.png(six.image(5), 32));
    }

    @Test
    void theProductionChunkingIsBatchInvariantToo() {
        DiffusionEngine production = new DiffusionEngine(2, 1);
        var alone = production.textToImage(base, List.of(sample(11, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        var five = production.textToImage(base, List.of(sample(1, "x"), sample(2, "y"), sample(11, "a red apple"),
                sample(4, "cat"), sample(6, "dog")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        assertArrayEquals(alone.image(0), five.image(2));
        var upAlone = production.upscale(sr, List.of(LowResInput.sample(11, alone.image(0), sr.spec())),
                DiffusionEngine.Sampling.ddim(3), BatchListener.ALL);
        var upThree = production.upscale(sr, List.of(LowResInput.sample(1, five.image(0), sr.spec()),
                LowResInput.sample(11, alone.image(0), sr.spec()), LowResInput.sample(2, five.image(1), sr.spec())),
                DiffusionEngine.Sampling.ddim(3), BatchListener.ALL);
        assertArrayEquals(upAlone.image(0), upThree.image(1));
    }

    @Test
    void withoutFixedShapesBatchesAgreeOnlyToFloatRounding() {
        DiffusionEngine variable = new DiffusionEngine(0);
        var alone = variable.textToImage(base, List.of(sample(11, "a red apple")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        var shared = variable.textToImage(base, List.of(sample(99, "a blue cat"), sample(11, "a red apple"),
                sample(5, "pizza")), DiffusionEngine.Sampling.ddim(8), BatchListener.ALL);
        float[] x = alone.image(0);
        float[] y = shared.image(1);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 1e-5f, "pixel " + i);
        }
    }

    @Test
    void guidanceScaleOneIsTheConditionalPredictionEvenInAGuidedBatch() {
        dev.genq.worker.engine.text.PromptTokenizer t = base.tokenizer();
        var g1 = new DiffusionEngine.TextSample(3, t.encode("a red apple").ids(), t.encode("green blue").ids(), 1.0);
        var g1NoNegative = new DiffusionEngine.TextSample(3, t.encode("a red apple").ids(), t.encode("").ids(), 1.0);
        var g3 = new DiffusionEngine.TextSample(3, t.encode("a red apple").ids(), t.encode("green blue").ids(), 3.0);
        var s = DiffusionEngine.Sampling.ddim(6);
        float[] alone = engine.textToImage(base, List.of(g1), s, BatchListener.ALL).image(0);
        // eps_u + 1 * (eps_c - eps_u) = eps_c: the negative prompt cannot matter at scale 1
        assertArrayEquals(alone, engine.textToImage(base, List.of(g1NoNegative), s, BatchListener.ALL).image(0));
        // and a scale-1 sample batched with a guided one (so the batch runs both branches) is unchanged
        var mixed = engine.textToImage(base, List.of(g3, g1), s, BatchListener.ALL);
        assertArrayEquals(alone, mixed.image(1));
        assertFalse(java.util.Arrays.equals(alone, mixed.image(0)), "guidance changes the image");
    }

    @Test
    void ddimWithEtaZeroIsDeterministicAndStochasticSamplersFollowTheSeed() {
        for (String sampler : List.of("ddim", "ddpm", "dpmpp_2m")) {
            var s = new DiffusionEngine.Sampling(sampler, 5, 0);
            var a = engine.textToImage(base, List.of(sample(21, "a star")), s, BatchListener.ALL);
            var b = engine.textToImage(base, List.of(sample(21, "a star")), s, BatchListener.ALL);
            var c = engine.textToImage(base, List.of(sample(22, "a star")), s, BatchListener.ALL);
            assertArrayEquals(a.image(0), b.image(0), sampler);
            assertFalse(java.util.Arrays.equals(a.image(0), c.image(0)), sampler);
        }
    }

    @Test
    void fullCascadeGivesA128PixelPng() throws Exception {
        var low = engine.textToImage(base, List.of(sample(1, "a star")), DiffusionEngine.Sampling.ddim(4), BatchListener.ALL);
        var full = engine.upscale(sr, List.of(LowResInput.sample(1, low.image(0), sr.spec())), DiffusionEngine.Sampling.ddim(3), BatchListener.ALL);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Images.png(full.image(0), full.size())));
        assertEquals(128, img.getWidth());
        assertEquals(128, img.getHeight());
        assertTrue(full.seconds() > 0);
    }

    @Test
    void theShippedSuperResolutionModelSharpensWhatItIsGivenFromAPartlyNoisedStart() {
        // emoji-sr starts at start_timestep 700 from the noised upsample; from pure noise it drifted (12 dB).
        // A 32 px image with a hard edge: the 128 px result must stay close to the upsample of the input.
        assertArrayEquals(new int[] {665, 630}, java.util.Arrays.copyOf(sr.schedule().spacedTimesteps(20, 700), 2));
        try (LoadedModel shipped = LoadedModel.load(FIXTURES.resolveSibling("emoji-sr"), Device.cpu())) {
            assertEquals(700, shipped.spec().startTimestep());
            float[] low = new float[3 * 32 * 32];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        low[c * 1024 + y * 32 + x] = x < 16 ? 1f : (c == 0 ? 0.8f : -0.8f); // white | red
                    }
                }
            }
            var full = engine.upscale(shipped, List.of(LowResInput.sample(3, low, shipped.spec())), DiffusionEngine.Sampling.ddim(20), BatchListener.ALL);
            float[] up = Images.upsampleBilinear(low, 3, 32, 128);
            double mse = 0;
            for (int i = 0; i < up.length; i++) {
                mse += Math.pow(full.image(0)[i] - up[i], 2);
            }
            double psnr = 10 * Math.log10(4.0 / (mse / up.length));
            assertTrue(psnr > 20, "PSNR against the upsampled input " + psnr);
        }
    }

    @Test
    void aStoppedSampleLeavesTheBatchAndTheOthersAreUnaffected() {
        for (String sampler : List.of("ddim", "ddpm", "dpmpp_2m")) {
            var s = new DiffusionEngine.Sampling(sampler, 10, 0);
            float[] alone = engine.textToImage(base, List.of(sample(2, "a dog")), s, BatchListener.ALL).image(0);
            int[] calls = {0};
            var r = engine.textToImage(base, List.of(sample(1, "a star"), sample(2, "a dog")), s,
                    (done, total) -> ++calls[0] < 3 ? null : new boolean[] {false, true});
            assertEquals(10, calls[0]);
            assertFalse(r.samples().get(0).completed(), sampler);
            assertEquals(3, r.samples().get(0).stepsRun(), "stopped within one step of being told");
            assertEquals(10, r.samples().get(1).stepsRun());
            assertArrayEquals(alone, r.image(1), sampler + ": the remaining sample is bit-identical to running alone");
            assertTrue(r.samples().get(1).seconds() > r.samples().get(0).seconds(), "each pays for the steps it was in");
        }
    }

    @Test
    void unknownWordsMapToUnkAndLongPromptsAreTruncated() {
        dev.genq.worker.engine.text.PromptTokenizer t = base.tokenizer();
        Tokenizer.Tokens tokens = t.encode("A RED zorblax apple!");
        assertEquals(Tokenizer.UNK, tokens.ids()[2]);
        assertTrue(tokens.ids()[0] > Tokenizer.UNK && tokens.ids()[1] > Tokenizer.UNK && tokens.ids()[3] > Tokenizer.UNK);
        assertEquals(Tokenizer.PAD, tokens.ids()[4]);
        assertFalse(tokens.truncated());
        assertTrue(t.encode("cat ".repeat(t.maxTokens() + 1)).truncated());
    }

    @Test
    void invalidPackagesFailWithAMessageNamingTheProblem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        var noJson = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(noJson.getMessage().contains("model.json is missing"), noJson.getMessage());

        java.nio.file.Files.writeString(dir.resolve("model.json"), "{not json");
        var badJson = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(badJson.getMessage().contains("not valid JSON"), badJson.getMessage());

        String good = java.nio.file.Files.readString(FIXTURES.resolve("tiny-sr/model.json"));
        java.nio.file.Files.writeString(dir.resolve("model.json"), good);
        var missing = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(missing.getMessage().contains("'denoiser.pt'") && missing.getMessage().contains("missing"), missing.getMessage());

        java.nio.file.Files.writeString(dir.resolve("model.json"), good.replace("\"epsilon\"", "\"sample\""));
        var badPrediction = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(badPrediction.getMessage().contains("prediction must be 'epsilon' or 'v'"), badPrediction.getMessage());

        // a real TorchScript file whose output is not an image of the input's shape
        java.nio.file.Files.copy(FIXTURES.resolve("tiny-base/denoiser.pt"), dir.resolve("denoiser.pt"));
        java.nio.file.Files.writeString(dir.resolve("model.json"), good);
        var wrongShape = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(wrongShape.getMessage().contains("denoiser"), wrongShape.getMessage());
    }
}
