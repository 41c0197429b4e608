package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.worker.engine.sampler.Sampler;
import dev.genq.worker.engine.sampler.Samplers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scheduler_config.json's clip_sample and clip_sample_range reach every sampler: one step to clean data from x = 3
 * with zero noise predicted lands on x0 = 3 / sqrt(alpha-bar), clipped at the range, or not at all with
 * clip_sample false (latents, whose range is not the picture's).
 */
class ClipSampleTest {
    @ParameterizedTest
    @ValueSource(strings = {Samplers.DDIM, Samplers.DDPM, Samplers.DPMPP_2M})
    void theSamplersClipX0AsTheConfigSays(String name) throws Exception {
        assertEquals(1.0, lastStep(name, "{}"), 1e-6, "diffusers' default: clip_sample true, range 1");
        assertEquals(2.0, lastStep(name, "{\"clip_sample_range\": 2.0}"), 1e-6);
        NoiseSchedule schedule = schedule("{\"clip_sample\": false}");
        int t = schedule.spacedTimesteps(1)[0];
        assertEquals(3 / Math.sqrt(schedule.alphaBar(t)), lastStep(name, "{\"clip_sample\": false}"), 1e-3);
    }

    @org.junit.jupiter.api.Test
    void aLatentPackageIsNotClippedUnlessItsConfigSaysSo() throws Exception {
        List<String> problems = new ArrayList<>();
        var json = new ObjectMapper();
        assertEquals(Double.POSITIVE_INFINITY, SchedulerConfig.diffusers(json.readTree("{}"), problems, true).clipSampleRange());
        assertEquals(1.0, SchedulerConfig.diffusers(json.readTree("{\"clip_sample\": true}"), problems, true).clipSampleRange());
        assertEquals(List.of(), problems);
    }

    static double lastStep(String name, String config) throws Exception {
        Sampler sampler = Samplers.create(name, schedule(config), 0);
        sampler.setTimesteps(1, Integer.MAX_VALUE);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(1, 3, 2, 2), 3f);
            return sampler.step(m.zeros(x.getShape()), 0, x, null).getFloat(0, 0, 0, 0);
        }
    }

    static NoiseSchedule schedule(String config) throws Exception {
        List<String> problems = new ArrayList<>();
        SchedulerConfig c = SchedulerConfig.diffusers(new ObjectMapper().readTree(config), problems);
        assertEquals(List.of(), problems);
        return c.schedule();
    }
}
