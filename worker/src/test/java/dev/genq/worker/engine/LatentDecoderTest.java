package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;

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
            assertEquals(new Shape(4, 4, 4), model.space().sampleShape(model.spec().nativeSize()));
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
        List<ImageSize> previewSides = new ArrayList<>();
        BatchListener listener = everyPreview(previews, previewSides);
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu())) {
            var result = new DiffusionEngine(2).textToImage(model, List.of(sample(model, 3), sample(model, 4)),
                    DiffusionEngine.Sampling.ddim(6), listener);
            assertEquals(ImageSize.square(32), result.size());
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
            assertEquals(java.util.Collections.nCopies(5, ImageSize.square(32)), previewSides);
        }
    }

    /**
     * tiny-sd declares 48x32 and 32x48 (latents 6x4 and 4x6): a run at each answers pictures of exactly that width and
     * height whose halves are each a picture (the denoiser drew every latent cell, not the native 4x4 in a corner),
     * previews of the same size, and tiny-sr upscales such a picture x4 keeping its aspect. A size it does not
     * declare is refused.
     */
    @Test
    void nonSquareSizesDrawWholePicturesAndUpscale() throws IOException {
        Path srPackage = PACKAGE.resolveSibling("tiny-sr");
        try (LoadedModel model = LoadedModel.load(PACKAGE, Device.cpu()); LoadedModel sr = LoadedModel.load(srPackage, Device.cpu())) {
            assertEquals(List.of(ImageSize.square(32), new ImageSize(48, 32), new ImageSize(32, 48)), model.spec().sizes());
            var engine = new DiffusionEngine(2);
            for (ImageSize size : List.of(new ImageSize(48, 32), new ImageSize(32, 48))) {
                List<ImageSize> previewSizes = new ArrayList<>();
                var result = engine.textToImage(model, List.of(sample(model, 3), sample(model, 4)), size,
                        DiffusionEngine.Sampling.ddim(6), everyPreview(new ArrayList<>(), previewSizes));
                assertEquals(size, result.size());
                assertEquals(java.util.Collections.nCopies(5, size), previewSizes);
                for (int s = 0; s < 2; s++) {
                    float[] picture = result.image(s);
                    assertEquals(3 * size.pixels(), picture.length);
                    boolean wide = size.width() > size.height();
                    ImageSize halfSize = wide ? new ImageSize(size.width() / 2, size.height()) : new ImageSize(size.width(), size.height() / 2);
                    assertSmoothAndNotFlat(crop(picture, size, 0, 0, halfSize), size + " sample " + s + ", first half");
                    assertSmoothAndNotFlat(crop(picture, size, wide ? halfSize.width() : 0, wide ? 0 : halfSize.height(), halfSize),
                            size + " sample " + s + ", second half");
                }
                ImageSize upscaled = size.times(sr.spec().upscaleFactor());
                var up = engine.upscale(sr, List.of(dev.genq.worker.stage.LowResInput.sample(9, result.image(0), upscaled, sr.spec())),
                        upscaled, DiffusionEngine.Sampling.ddim(3), BatchListener.ALL);
                assertEquals(upscaled, up.size());
                assertEquals(3 * upscaled.pixels(), up.image(0).length);
                // to look at: target/non-square/
                Path out = Files.createDirectories(Path.of("target/non-square"));
                Files.write(out.resolve("tiny-sd-" + size + ".png"), Images.png(result.image(0), size));
                Files.write(out.resolve("tiny-sr-" + upscaled + ".png"), Images.png(up.image(0), upscaled));
            }
            var e = assertThrows(IllegalArgumentException.class, () -> engine.textToImage(model, List.of(sample(model, 1)),
                    new ImageSize(40, 32), DiffusionEngine.Sampling.ddim(2), BatchListener.ALL));
            assertTrue(e.getMessage().contains("does not draw 40x32"), e.getMessage());
        }
    }

    /** Takes a live preview before every step but the last: each one's values and size. */
    static BatchListener everyPreview(List<float[]> previews, List<ImageSize> sizes) {
        return new BatchListener() {
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
                    public void take(int done, int total, int[] samples, float[] x0, ImageSize size) {
                        previews.add(x0);
                        sizes.add(size);
                    }
                };
            }
        };
    }

    /** A {@code part}-sized window at (x0, y0) of a CHW picture of {@code size}. */
    static float[] crop(float[] chw, ImageSize size, int x0, int y0, ImageSize part) {
        float[] out = new float[3 * (int) part.pixels()];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < part.height(); y++) {
                System.arraycopy(chw, (int) (c * size.pixels() + (long) (y0 + y) * size.width() + x0), out,
                        (int) (c * part.pixels() + (long) y * part.width()), part.width());
            }
        }
        return out;
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
        assertRefused(m -> m.putArray("sizes").addArray().add(36).add(32), "sizes: 36x32 needs both sides between 1 and 8192 and multiples of 8");
        assertRefused(m -> m.putArray("sizes").add("48x32"), "sizes: \"48x32\" is not a [width, height] pair");
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
        int plane = picture.length / 3;
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
