package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.genq.storage.quality.PictureStats;
import dev.genq.worker.model.PackageProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped emoji-base package, not a fixture, makes pictures: finite pixels, many colours, contrast.
 * The stages run on a thread of their own, as the batcher's, with a full GC after every step: that is
 * what turned every sample into NaN (a solid black PNG) on Zen 4 before oneDNN was capped at AVX2
 * (OneDnnIsaCap), deterministically within two jobs.
 */
class ShippedModelPictureTest {
    static final Path BASE = Path.of("../models/emoji-base").toAbsolutePath().normalize();
    static LoadedModel base;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        base = LoadedModel.load(BASE, Device.cpu());
        System.out.println("oneDNN ISA cap: " + dev.genq.storage.inference.OneDnnIsaCap.apply());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Test
    void previewsOfTheShippedModelArePicturesEvenWhenTheGcRunsEveryStep() throws Exception {
        DiffusionEngine engine = new DiffusionEngine(2, 1);
        dev.genq.worker.engine.text.PromptTokenizer tokens = base.tokenizer();
        List<DiffusionEngine.TextSample> samples = List.of(
                new DiffusionEngine.TextSample(42, tokens.encode("a grinning cat").ids(), tokens.encode("").ids(), 8.0),
                new DiffusionEngine.TextSample(43, tokens.encode("a red apple").ids(), tokens.encode("").ids(), 8.0),
                new DiffusionEngine.TextSample(44, tokens.encode("pizza").ids(), tokens.encode("").ids(), 8.0),
                new DiffusionEngine.TextSample(45, tokens.encode("a rocket").ids(), tokens.encode("").ids(), 8.0));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<DiffusionEngine.StageResult> results = new java.util.ArrayList<>();
        Thread batcher = new Thread(() -> {
            try {
                for (int job = 0; job < 3; job++) {
                    results.add(engine.textToImage(base, samples, DiffusionEngine.Sampling.ddim(25), (done, total) -> {
                        System.gc();
                        return null;
                    }));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "test-batcher");
        batcher.start();
        batcher.join(300_000);
        assertEquals(null, failure.get());
        assertEquals(3, results.size(), "both stages finished within the bound");
        for (DiffusionEngine.StageResult r : results) {
            for (int i = 0; i < samples.size(); i++) {
                assertPicture(r.image(i), "sample " + i);
            }
        }
    }

    /** Finite, and a picture by genq's own bar (at least 16 distinct colours, a visible luminance spread). */
    static void assertPicture(float[] chw, String what) {
        for (int i = 0; i < chw.length; i++) {
            assertTrue(Float.isFinite(chw[i]), what + ": non-finite value at " + i);
        }
        PictureStats stats = PackageProbe.stats(chw).picture();
        assertTrue(stats.isPicture(), what + ": not a picture: " + stats);
    }
}
