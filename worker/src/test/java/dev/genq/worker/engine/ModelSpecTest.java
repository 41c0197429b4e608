package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * model.json's schedule.timestep_spacing: optional, one of diffusers' names, anything else refused at load; and a
 * v2 package's diffusers scheduler_config.json in place of model.json's schedule.
 */
class ModelSpecTest {
    static final Path FIXTURE = Path.of("../models/fixtures/tiny-base").toAbsolutePath().normalize();

    static Path withSpacing(Path dir, String spacing) throws IOException {
        try (Stream<Path> files = Files.list(FIXTURE)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        ObjectNode schedule = (ObjectNode) manifest.path("schedule");
        if (spacing != null) {
            schedule.put("timestep_spacing", spacing);
        }
        manifest.remove("sha256");
        json.writeValue(dir.resolve("model.json").toFile(), manifest);
        return dir;
    }

    @Test
    void absentMeansLeadingWhatOlderPackagesWereSampledWith(@TempDir Path dir) throws IOException {
        assertEquals(TimestepSpacing.LEADING, ModelSpec.read(withSpacing(dir, null)).timestepSpacing());
    }

    @Test
    void trailingIsRead(@TempDir Path dir) throws IOException {
        assertEquals(TimestepSpacing.TRAILING, ModelSpec.read(withSpacing(dir, "trailing")).timestepSpacing());
    }

    @Test
    void anUnknownSpacingRefusesThePackageAndSaysWhy(@TempDir Path dir) throws IOException {
        var e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(withSpacing(dir, "sideways")));
        assertTrue(e.getMessage().contains("schedule.timestep_spacing must be 'leading', 'trailing' or 'linspace', not 'sideways'"),
                e.getMessage());
    }

    /** Stable Diffusion 1.5's scheduler_config.json as diffusers ships it, fields genq ignores included. */
    static final String SD15_SCHEDULER = """
            {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
             "clip_sample": false}""";

    static Path withSchedulerConfig(Path dir, String config, boolean keepV1Schedule) throws IOException {
        withSpacing(dir, null);
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        if (!keepV1Schedule) {
            manifest.remove("schedule");
            manifest.remove("prediction");
        }
        json.writeValue(dir.resolve("model.json").toFile(), manifest);
        Files.writeString(dir.resolve(SchedulerConfig.FILE), config);
        return dir;
    }

    @Test
    void aDiffusersSchedulerConfigIsReadFieldForField(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.read(withSchedulerConfig(dir, SD15_SCHEDULER, false));
        assertEquals(new SchedulerConfig(BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, 1000, Prediction.EPSILON,
                TimestepSpacing.LEADING_INTEGER_RATIO, 1, false, Double.POSITIVE_INFINITY), spec.scheduler());
        assertEquals(Double.POSITIVE_INFINITY, spec.scheduler().schedule().clipSampleRange(), "clip_sample false: x0 not clipped");
        assertEquals(981, spec.scheduler().schedule().spacedTimesteps(50)[0], "SD 1.5's 50 steps start at 981");
        assertEquals(1000, spec.timesteps());
        assertEquals(999, spec.maxSteps(), "leading with steps_offset 1 runs at most 999 steps (t = 999 down to 1)");
    }

    @Test
    void aV1PackageMapsOntoTheSameFields(@TempDir Path dir) throws IOException {
        assertEquals(new SchedulerConfig(BetaSchedule.SQUAREDCOS_CAP_V2, 1e-4, 0.02, 1000, Prediction.EPSILON,
                TimestepSpacing.LEADING, 0, false, 1.0), ModelSpec.read(withSpacing(dir, null)).scheduler());
    }

    @Test
    void aScheduleDeclaredTwiceOrUnsupportedIsRefusedAndSaysWhy(@TempDir Path dir) throws IOException {
        Path twice = Files.createDirectory(dir.resolve("twice"));
        var e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(withSchedulerConfig(twice, SD15_SCHEDULER, true)));
        assertTrue(e.getMessage().contains("one of them, not both"), e.getMessage());

        Path bad = Files.createDirectory(dir.resolve("bad"));
        e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(withSchedulerConfig(bad, """
                {"beta_schedule": "exponential", "prediction_type": "flow", "rescale_betas_zero_snr": true,
                 "trained_betas": [0.1, 0.2], "thresholding": true}""", false)));
        for (String said : new String[] {"beta_schedule must be 'linear', 'scaled_linear' or 'squaredcos_cap_v2', not 'exponential'",
                "prediction_type must be 'epsilon', 'v_prediction' or 'sample', not 'flow'", "trained_betas is not supported",
                "thresholding (dynamic thresholding) is not supported"}) {
            assertTrue(e.getMessage().contains(said), e.getMessage());
        }

        Path zeroSnr = Files.createDirectory(dir.resolve("zero-snr"));
        e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(withSchedulerConfig(zeroSnr,
                "{\"rescale_betas_zero_snr\": true, \"prediction_type\": \"epsilon\"}", false)));
        assertTrue(e.getMessage().contains("rescale_betas_zero_snr needs prediction_type 'v_prediction' or 'sample'"), e.getMessage());
    }
}
