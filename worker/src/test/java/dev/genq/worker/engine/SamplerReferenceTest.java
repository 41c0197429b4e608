package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.worker.engine.sampler.StepNoise;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each sampler against an independent PyTorch implementation (make_reference.py beside the vectors):
 * same fixture model, same prompt tokens, same initial and step noise; final samples agree to 1e-4.
 */
class SamplerReferenceTest {
    static final Path DIR = Path.of("src/test/resources/sampler-reference");
    static JsonNode meta;
    static LoadedModel model;

    @BeforeAll
    static void load() throws IOException {
        System.setProperty("ai.djl.offline", "true");
        meta = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
        model = LoadedModel.load(Path.of("../models/fixtures/tiny-base").toAbsolutePath().normalize(), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<Arguments> cases() throws IOException {
        JsonNode m = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : m.path("cases")) {
            out.add(Arguments.of(c.path("sampler").asText(), c.path("steps").asInt(), c.path("guidance_scale").asDouble(),
                    c.path("eta").asDouble(), c.path("timestep_spacing").asText("leading"), c.path("expected").asText()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} steps, guidance {2}, eta {3}, {4} spacing")
    @MethodSource("cases")
    void matchesTheReference(String sampler, int steps, double guidance, double eta, String spacing, String expectedFile)
            throws IOException {
        int[] shape = new ObjectMapper().convertValue(meta.path("shape"), int[].class);
        int plane = shape[0] * shape[1] * shape[2] * shape[3];
        float[] initial = floats(meta.path("initial_noise").asText());
        float[] stepNoise = floats(meta.path("step_noise").asText());
        StepNoise noise = (m, step) -> m.create(Arrays.copyOfRange(stepNoise, step * plane, (step + 1) * plane),
                new Shape(shape[0], shape[1], shape[2], shape[3]));
        long[][] prompt = new ObjectMapper().convertValue(meta.path("prompt_tokens"), long[][].class);
        long[][] negative = new ObjectMapper().convertValue(meta.path("negative_tokens"), long[][].class);

        for (int rows : new int[] {0, 8}) { // one forward per step, and fixed-shape chunks
            var result = new DiffusionEngine(rows).textToImage(model, initial, new Shape(shape[1], shape[2], shape[3]), prompt, negative,
                    new double[] {guidance, guidance}, new DiffusionEngine.Sampling(sampler, steps, eta, TimestepSpacing.ofWire(spacing)), noise, BatchListener.ALL);
            float[] expected = floats(expectedFile);
            float[] actual = new float[plane];
            for (int i = 0; i < shape[0]; i++) {
                System.arraycopy(result.image(i), 0, actual, i * plane / shape[0], plane / shape[0]);
            }
            double maxErr = 0;
            for (int i = 0; i < plane; i++) {
                maxErr = Math.max(maxErr, Math.abs(expected[i] - actual[i]));
            }
            assertEquals(0, maxErr, 1e-4, sampler + " forward rows " + rows + ": max abs error " + maxErr);
        }
    }

    /** Each spacing visits exactly the timesteps diffusers' numpy expressions give, for a full and a partial span. */
    @org.junit.jupiter.api.Test
    void everySpacingMatchesTheReferenceTimesteps() {
        int checked = 0;
        for (JsonNode c : meta.path("spacings")) {
            TimestepSpacing spacing = TimestepSpacing.ofWire(c.path("spacing").asText());
            int[] expected = new ObjectMapper().convertValue(c.path("timesteps"), int[].class);
            int[] actual = model.schedule().withSpacing(spacing).spacedTimesteps(c.path("steps").asInt(), c.path("span").asInt());
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, c.toString());
            checked++;
        }
        assertEquals(72, checked);
        // the point of trailing: a few-step run starts where its input is, at pure noise
        assertEquals(999, model.schedule().withSpacing(TimestepSpacing.TRAILING).spacedTimesteps(4)[0]);
        assertEquals(750, model.schedule().spacedTimesteps(4)[0]);
    }

    static float[] floats(String file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(DIR.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
