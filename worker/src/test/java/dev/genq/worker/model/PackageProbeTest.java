package dev.genq.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.LoadedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every package genq ships or tests with carries a golden probe that passes on this machine, and a probe
 * that no longer matches is reported with the package, the case and the measured difference.
 *
 * <p>Recording: {@code GENQ_PROBE_RECORD=1 ./mvnw -pl worker test -Dtest=PackageProbeTest} rewrites the
 * probe.json (and the super-resolution packages' probe_input.png, the base probe's image) of the packages
 * below from this engine's output; run it only when a package's weights change, then commit the files.
 */
class PackageProbeTest {
    static final Path MODELS = Path.of("../models").toAbsolutePath().normalize();
    /** Base package, its super-resolution partner (or none), the base probe's prompt and guidance. */
    static final List<String[]> PAIRS = List.of(
            new String[] {"emoji-base", "emoji-sr", "a grinning cat", "8.0"},
            new String[] {"fixtures/tiny-base", "fixtures/tiny-sr", "a red apple", "3.0"},
            new String[] {"fixtures/tiny-v2", null, "a red apple", "3.0"},
            new String[] {"fixtures/tiny-sd", null, "a red apple", "3.0"});
    static final double TOLERANCE = 0.02;
    static final ObjectMapper JSON = new ObjectMapper();
    final DiffusionEngine engine = new DiffusionEngine(2, 1);

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @Test
    void theShippedAndFixturePackagesPassTheirProbes() throws Exception {
        if ("1".equals(System.getenv("GENQ_PROBE_RECORD"))) {
            for (String[] p : PAIRS) {
                record(MODELS.resolve(p[0]), p[1] == null ? null : MODELS.resolve(p[1]), p[2], Double.parseDouble(p[3]));
            }
        }
        for (String[] p : PAIRS) {
            for (String pkg : p[1] == null ? new String[] {p[0]} : new String[] {p[0], p[1]}) {
                try (LoadedModel m = LoadedModel.load(MODELS.resolve(pkg), Device.cpu())) {
                    PackageProbe.Result r = PackageProbe.check(m, MODELS.resolve(pkg), engine);
                    assertTrue(r.passed(), r.message());
                }
            }
        }
    }

    @Test
    void aProbeThatNoLongerMatchesNamesThePackageTheCaseAndTheDifference() {
        Path dir = MODELS.resolve("fixtures/tiny-probe-mismatch");
        try (LoadedModel m = LoadedModel.load(dir, Device.cpu())) {
            PackageProbe.Result r = PackageProbe.check(m, dir, engine);
            assertFalse(r.passed());
            assertTrue(r.message().startsWith("tiny-probe-mismatch@1: probe case 0 ('a red apple') differs by 0.3"), r.message());
            assertTrue(r.message().contains("(tolerance 0.0200): mean of channel"), r.message());
        }
    }

    @Test
    void aNanModelIsNotAPictureAndAPackageWithoutAProbeHasNoCases() throws Exception {
        Path dir = MODELS.resolve("fixtures/tiny-nan");
        assertEquals(List.of(), PackageProbe.read(dir), "the broken fixtures ship no probe");
        Path probed = Files.createTempDirectory("tiny-nan-probed");
        for (Path f : Files.list(dir).toList()) {
            Files.copy(f, probed.resolve(f.getFileName()));
        }
        Files.writeString(probed.resolve(PackageProbe.FILE), """
                {"format": 1, "cases": [{"prompt": "a red apple", "seed": 1, "steps": 4, "guidance_scale": 3.0,
                  "sampler": "ddim", "expect": {"mean": [0, 0, 0], "std": [0.5, 0.5, 0.5]}, "tolerance": 0.02}]}""");
        try (LoadedModel m = LoadedModel.load(probed, Device.cpu())) {
            PackageProbe.Result r = PackageProbe.check(m, probed, engine);
            assertFalse(r.passed());
            assertEquals("tiny-nan@1: probe case 0 ('a red apple') is not a picture: 1 colours, contrast 0.00", r.message());
        }
    }

    /** Writes the base package's probe, its image as the SR package's probe input, and the SR probe. */
    void record(Path base, Path sr, String prompt, double guidance) throws Exception {
        var baseCase = new PackageProbe.Case(prompt, null, 42, 8, guidance, "ddim", null, null, TOLERANCE);
        try (LoadedModel m = LoadedModel.load(base, Device.cpu())) {
            var sample = new DiffusionEngine.TextSample(42, m.tokenizer().encode(prompt).ids(), m.tokenizer().encode("").ids(), guidance);
            float[] image = engine.textToImage(m, List.of(sample), DiffusionEngine.Sampling.ddim(8), dev.genq.worker.engine.BatchListener.ALL).image(0);
            if (sr != null) {
                Files.write(sr.resolve("probe_input.png"), Images.png(image, m.spec().resolution()));
            }
            write(base, baseCase, PackageProbe.stats(image));
        }
        if (sr == null) {
            return;
        }
        try (LoadedModel m = LoadedModel.load(sr, Device.cpu())) {
            var srCase = new PackageProbe.Case(null, "probe_input.png", 7, m.spec().defaultSteps(), 1.0, "ddim", null, null, TOLERANCE);
            write(sr, srCase, PackageProbe.measure(m, sr, srCase, engine));
        }
    }

    static void write(Path dir, PackageProbe.Case c, PackageProbe.Stats s) throws Exception {
        ObjectNode root = JSON.createObjectNode().put("format", 1);
        ObjectNode node = root.putArray("cases").addObject();
        if (c.prompt() != null) {
            node.put("prompt", c.prompt()).put("guidance_scale", c.guidanceScale());
        } else {
            node.put("input", c.input());
        }
        node.put("seed", c.seed()).put("steps", c.steps()).put("sampler", c.sampler());
        ObjectNode expect = node.putObject("expect");
        ArrayNode mean = expect.putArray("mean");
        ArrayNode std = expect.putArray("std");
        for (int ch = 0; ch < 3; ch++) {
            mean.add(Math.round(s.mean()[ch] * 10000) / 10000.0);
            std.add(Math.round(s.std()[ch] * 10000) / 10000.0);
        }
        node.put("tolerance", c.tolerance());
        Files.writeString(dir.resolve(PackageProbe.FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }
}
