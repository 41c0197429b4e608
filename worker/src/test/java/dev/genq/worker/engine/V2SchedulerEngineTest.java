package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture denoiser run under v2 scheduler configs by every sampler: the loop takes a diffusers schedule, and
 * v-prediction at zero terminal SNR (alpha-bar 0 at the first step visited) gives finite pictures, not NaN.
 * The fixture's weights are random, so this checks the arithmetic is sound, not what the picture shows.
 */
class V2SchedulerEngineTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "zero-snr|{\"beta_schedule\":\"scaled_linear\",\"beta_start\":0.00085,\"beta_end\":0.012,\"prediction_type\":\"v_prediction\",\"timestep_spacing\":\"trailing\",\"rescale_betas_zero_snr\":true}",
            "sd15|{\"beta_schedule\":\"scaled_linear\",\"beta_start\":0.00085,\"beta_end\":0.012,\"steps_offset\":1}",
            "sample|{\"beta_schedule\":\"linear\",\"prediction_type\":\"sample\",\"timestep_spacing\":\"linspace\"}"})
    void everySamplerGivesFinitePictures(String name, String config) throws IOException {
        Path pkg = ModelSpecTest.withSchedulerConfig(Files.createDirectory(dir.resolve(name)), config, false);
        try (LoadedModel model = LoadedModel.load(pkg, Device.cpu())) {
            for (String sampler : List.of("ddim", "ddpm", "dpmpp_2m")) {
                var sample = new DiffusionEngine.TextSample(7, model.tokenizer().encode("a red apple").ids(),
                        model.tokenizer().encode("").ids(), 3.0);
                var result = new DiffusionEngine(2).textToImage(model, List.of(sample),
                        new DiffusionEngine.Sampling(sampler, 6, 0), BatchListener.ALL);
                float[] image = result.image(0);
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (float v : image) {
                    assertTrue(Float.isFinite(v), sampler + " under " + name + " gave a non-finite value");
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                assertTrue(max - min > 0.05, sampler + " under " + name + ": a flat picture, " + min + " to " + max);
            }
        }
    }
}
