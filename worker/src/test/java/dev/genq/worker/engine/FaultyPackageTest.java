package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The broken fixture packages (models/fixtures/make_faulty.py) load, and their outputs are what they claim. */
class FaultyPackageTest {
    static final Path FIXTURES = Path.of("../models/fixtures").toAbsolutePath().normalize();
    final DiffusionEngine engine = new DiffusionEngine(2, 1);

    List<DiffusionEngine.SampleResult> run(String name) {
        System.setProperty("ai.djl.offline", "true");
        try (LoadedModel m = LoadedModel.load(FIXTURES.resolve(name), Device.cpu())) {
            var sample = new DiffusionEngine.TextSample(7, m.tokenizer().encode("a red apple").ids(), m.tokenizer().encode("").ids(), 3.0);
            return engine.textToImage(m, List.of(sample, sample), DiffusionEngine.Sampling.ddim(6), BatchListener.ALL).samples();
        }
    }

    @Test
    void aNanDenoiserGivesSamplesThatCountTheirNonFiniteValues() {
        for (var r : run("tiny-nan")) {
            assertEquals(r.image().length, r.nonFiniteValues(), "every value of a NaN model's image is non-finite");
        }
    }

    @Test
    void aFlatDenoiserGivesFiniteButFlatImages() {
        for (var r : run("tiny-flat")) {
            assertEquals(0, r.nonFiniteValues());
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float v : r.image()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max - min < 0.05f, "flat grey (under 7 of 255 levels), spread " + (max - min));
        }
    }

    @Test
    void aDroppedSampleHasNoNonFiniteValues() {
        assertEquals(0, new DiffusionEngine.SampleResult(null, 0, 0).nonFiniteValues());
    }
}
