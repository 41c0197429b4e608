package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each {@code scheduler_config.json} a package may carry against diffusers' arithmetic transcribed in PyTorch
 * (scheduler-reference/make_reference.py, Debian's torch 1.13): alphas_cumprod at every training timestep, the
 * timesteps DDIM visits for 1 to 50 steps, and the noise each prediction type implies, to 1e-4 (relative where
 * the value exceeds 1).
 */
class DiffusersSchedulerReferenceTest {
    static final Path CASES = Path.of("src/test/resources/scheduler-reference/cases.json");

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(CASES.toFile()).path("cases")) {
            out.add(Arguments.of(c.path("config").toString(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDiffusers(String config, JsonNode c) {
        List<String> problems = new ArrayList<>();
        SchedulerConfig scheduler = SchedulerConfig.diffusers(c.path("config"), problems);
        assertEquals(List.of(), problems);
        NoiseSchedule schedule = scheduler.schedule();

        JsonNode expected = c.path("alphas_cumprod");
        assertEquals(expected.size(), schedule.timesteps());
        for (int t = 0; t < expected.size(); t++) {
            // relative: a zero-SNR schedule's tail is 1e-5 to 1e-3 (its last value is 0 there, the floor 2^-24 here)
            double want = expected.get(t).asDouble();
            assertEquals(want, schedule.alphaBar(t), Math.max(1e-4 * want, 1e-7), "alphas_cumprod[" + t + "]");
        }

        c.path("timesteps").fields().forEachRemaining(e -> assertArrayEquals(
                new ObjectMapper().convertValue(e.getValue(), int[].class),
                schedule.spacedTimesteps(Integer.parseInt(e.getKey())), e.getKey() + " steps"));

        float[] x = new ObjectMapper().convertValue(c.path("x"), float[].class);
        float[] out = new ObjectMapper().convertValue(c.path("out"), float[].class);
        try (NDManager m = NDManager.newBaseManager()) {
            c.path("epsilon").fields().forEachRemaining(e -> {
                int t = Integer.parseInt(e.getKey());
                float[] actual = scheduler.prediction().toEpsilon(m.create(out), m.create(x), schedule.alphaBar(t)).toFloatArray();
                float[] want = new ObjectMapper().convertValue(e.getValue(), float[].class);
                for (int i = 0; i < want.length; i++) {
                    // relative past 1: "sample" at t = 1 divides by sqrt(1 - a) = 0.01, so float32 rounding grows 100-fold
                    assertEquals(want[i], actual[i], 1e-4 * Math.max(1, Math.abs(want[i])), scheduler.prediction() + " at t=" + t);
                }
            });
        }
    }
}
