package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tiny-sd's latent pipeline (models/fixtures/make_tiny_sd.py): the denoiser draws 4-channel latents at 1/8 of the
 * side; the vae_decoder turns them into pictures exactly as the fixture's known function, given z / scaling_factor +
 * shift_factor as diffusers gives it; live previews are decoded pictures too; a latent package cannot start from an
 * image; and model.json's vae_decoder block is validated at load.
 */
class LatentDecoderTest {
    static final Path PACKAGE = Path.of("../models/fixtures/tiny-sd").toAbsolutePath().normalize();
    /** make_tiny_sd.py's decoder: image = tanh(MIX @ (z / SCALING + SHIFT) + BIAS), z upsampled x8 bilinearly. */
    static final double[][] MIX = {{0.6, 0, 0, 0.2}, {0, 0.6, 0, 0.2}, {0, 0, 0.6, 0.2}};
    static final double[] BIAS = {0.05, -0.05, 0};
    static final double SCALING = 0.5;
    static final double SHIFT = 0.1;

    @TempDir
    Path dir;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @Test
    void theDecoderIsTheFixturesKnownFunctionOfTheLatents() {
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu()); NDManager m = model.manager().newSubManager()) {
            assertEquals(new Shape(4, 4, 4), model.space().sampleShape());
            int n = 2;
            float[] z = new float[n * 4 * 4 * 4];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (1.5 * Math.sin(0.7 * i + 0.3));
            }
            float[] picture = model.space().pictures(m, m.create(z, new Shape(n, 4, 4, 4))).toFloatArray();
            assertEquals(n * 3 * 32 * 32, picture.length);
            for (int s = 0; s < n; s++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        double[] latent = new double[4];
                        for (int c = 0; c < 4; c++) {
                            latent[c] = bilinear(z, (s * 4 + c) * 16, x, y) / SCALING + SHIFT;
                        }
                        for (int k = 0; k < 3; k++) {
                            double sum = BIAS[k];
                            for (int c = 0; c < 4; c++) {
                                sum += MIX[k][c] * latent[c];
                            }
                            int at = ((s * 3 + k) * 32 + y) * 32 + x;
                            assertEquals(Math.tanh(sum), picture[at], 1e-5, "sample " + s + " channel " + k + " at " + x + "," + y);
                        }
                    }
                }
            }
        }
    }

    /** torch's bilinear x8 upsampling (align_corners=False) of the 4x4 plane at {@code offset}, at output (x, y). */
    static double bilinear(float[] plane, int offset, int x, int y) {
        double sx = Math.max(0, (x + 0.5) / 8 - 0.5);
        double sy = Math.max(0, (y + 0.5) / 8 - 0.5);
        int x0 = (int) sx;
        int y0 = (int) sy;
        int x1 = Math.min(x0 + 1, 3);
        int y1 = Math.min(y0 + 1, 3);
        double fx = sx - x0;
        double fy = sy - y0;
        double top = plane[offset + y0 * 4 + x0] * (1 - fx) + plane[offset + y0 * 4 + x1] * fx;
        double bottom = plane[offset + y1 * 4 + x0] * (1 - fx) + plane[offset + y1 * 4 + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    @Test
    void aRunDrawsLatentsAndAnswersDecodedPicturesAndPreviews() {
        List<float[]> previews = new ArrayList<>();
        List<Integer> previewSides = new ArrayList<>();
        BatchListener listener = new BatchListener() {
            @Override
            public boolean[] onStep(int done, int total) {
                return null;
            }

            @Override
            public PreviewTap previews() {
                return new PreviewTap() {
                    @Override
                    public boolean wants(int done, int total) {
                        return true;
                    }

                    @Override
                    public void take(int done, int total, int[] samples, float[] x0, int resolution) {
                        previews.add(x0);
                        previewSides.add(resolution);
                    }
                };
            }
        };
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu())) {
            var result = new DiffusionEngine(2).textToImage(model, List.of(sample(model, 3), sample(model, 4)),
                    DiffusionEngine.Sampling.ddim(6), listener);
            assertEquals(32, result.resolution());
            for (int s = 0; s < 2; s++) {
                float[] picture = result.image(s);
                assertEquals(3 * 32 * 32, picture.length);
                assertSmoothAndNotFlat(picture, "sample " + s);
            }
            assertTrue(maxDifference(result.image(0), result.image(1)) > 0.05, "two seeds drew the same picture");
            assertEquals(5, previews.size(), "a preview before each step but the last");
            for (float[] p : previews) {
                assertEquals(2 * 3 * 32 * 32, p.length, "previews are decoded pictures of both samples");
                for (float v : p) {
                    assertTrue(v >= -1 && v <= 1, "a preview value outside [-1, 1]: " + v);
                }
            }
            assertEquals(List.of(32, 32, 32, 32, 32), previewSides);
        }
    }

    /** The decoder runs in fixed-shape chunks like every forward: a sample's pixels do not depend on its batch. */
    @Test
    void aSamplesPictureIsTheSameAloneAndInABatch() {
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu())) {
            var engine = new DiffusionEngine(2);
            float[] alone = engine.textToImage(model, List.of(sample(model, 7)), DiffusionEngine.Sampling.ddim(5),
                    BatchListener.ALL).image(0);
            float[] inBatch = engine.textToImage(model, List.of(sample(model, 5), sample(model, 6), sample(model, 7)),
                    DiffusionEngine.Sampling.ddim(5), BatchListener.ALL).image(2);
            assertArrayEquals(alone, inBatch, 0f);
        }
    }

    @Test
    void aLatentPackageCannotStartFromAnImage() {
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu())) {
            assertTrue(!model.takesImageInputs());
            var variation = new DiffusionEngine.VariationSample(sample(model, 1), new float[3 * 32 * 32]);
            var e = assertThrows(IllegalArgumentException.class, () -> new DiffusionEngine(2).vary(model, List.of(variation),
                    DiffusionEngine.Sampling.ddim(4), new Strength(0.5), BatchListener.ALL));
            assertTrue(e.getMessage().contains("no VAE encoder"), e.getMessage());
        }
    }

    @Test
    void aVaeDecoderBlockIsValidatedAtLoad() throws IOException {
        assertRefused(m -> m.put("resolution", 36), "resolution 36 is not a multiple of vae_decoder.downsample 8");
        assertRefused(m -> ((ObjectNode) m.path("vae_decoder")).remove("scaling_factor"), "vae_decoder.scaling_factor");
        assertRefused(m -> ((ObjectNode) m.path("vae_decoder")).put("shift_factor", "none"), "vae_decoder.shift_factor");
        assertRefused(m -> ((ObjectNode) m.path("vae_decoder")).put("file", "absent.pt"), "file 'absent.pt'");
        assertRefused(m -> m.put("kind", "super-resolution").put("low_resolution", 8).remove("text_encoder"),
                "vae_decoder is for text-to-image models");
        assertRefused(m -> m.put("prediction", "epsilon").putObject("schedule").put("type", "linear").put("timesteps", 1000),
                "a package with a vae_decoder needs a scheduler_config.json");
    }

    /** A copy of tiny-sd with {@code change} made to its model.json (and no scheduler_config.json if it names a schedule). */
    void assertRefused(Consumer<ObjectNode> change, String expected) throws IOException {
        Path pkg = Files.createTempDirectory(dir, "pkg");
        try (Stream<Path> files = Files.list(PACKAGE)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, pkg.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(pkg.resolve("model.json").toFile());
        change.accept(manifest);
        json.writeValue(pkg.resolve("model.json").toFile(), manifest);
        if (manifest.has("schedule")) {
            Files.delete(pkg.resolve(SchedulerConfig.FILE));
        }
        var e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(pkg));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    static DiffusionEngine.TextSample sample(LoadedModel model, long seed) {
        return new DiffusionEngine.TextSample(seed, model.tokenizer().encode("a red apple").ids(),
                model.tokenizer().encode("").ids(), 3.0);
    }

    /** Finite, not flat, and many colours (the decoder draws smooth fields from 4x4 latents, not 16 blocks). */
    static void assertSmoothAndNotFlat(float[] picture, String what) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        int plane = 32 * 32;
        for (int p = 0; p < plane; p++) {
            int rgb = 0;
            for (int k = 0; k < 3; k++) {
                float v = picture[k * plane + p];
                assertTrue(Float.isFinite(v), what + ": a non-finite value");
                min = Math.min(min, v);
                max = Math.max(max, v);
                rgb = rgb << 8 | (int) Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5);
            }
            colours.add(rgb);
        }
        assertTrue(max - min > 0.1, what + ": a flat picture, " + min + " to " + max);
        assertTrue(colours.size() >= 64, what + ": only " + colours.size() + " colours");
    }

    static double maxDifference(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
