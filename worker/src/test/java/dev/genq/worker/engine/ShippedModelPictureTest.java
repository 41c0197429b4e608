package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
        Tokenizer tokens = base.tokenizer();
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

    /** Finite, at least 16 distinct 8-bit colours and a luminance spread a person can see. */
    static void assertPicture(float[] chw, String what) {
        int plane = chw.length / 3;
        Set<Integer> colours = new HashSet<>();
        double sum = 0;
        double sumSq = 0;
        for (int p = 0; p < plane; p++) {
            float r = chw[p];
            float g = chw[plane + p];
            float b = chw[2 * plane + p];
            assertTrue(Float.isFinite(r) && Float.isFinite(g) && Float.isFinite(b), what + ": non-finite pixel " + p);
            colours.add((byte8(r) << 16) | (byte8(g) << 8) | byte8(b));
            double lum = 0.299 * byte8(r) + 0.587 * byte8(g) + 0.114 * byte8(b);
            sum += lum;
            sumSq += lum * lum;
        }
        double mean = sum / plane;
        double sd = Math.sqrt(Math.max(0, sumSq / plane - mean * mean));
        assertTrue(colours.size() >= 16, what + ": only " + colours.size() + " distinct colours");
        assertTrue(sd >= 8, what + ": luminance standard deviation " + sd + " (no visible contrast)");
    }

    private static int byte8(float v) {
        return Math.round((Math.max(-1f, Math.min(1f, v)) + 1f) * 127.5f);
    }
}
