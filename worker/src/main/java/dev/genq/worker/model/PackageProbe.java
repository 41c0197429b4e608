package dev.genq.worker.model;

import dev.genq.storage.job.Stage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.storage.quality.PictureStats;
import dev.genq.worker.engine.BatchListener;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.stage.LowResInput;
import dev.genq.storage.job.ImageSize;
import dev.genq.worker.stage.PromptInput;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A package's golden probe ({@code probe.json}, models/README.md): a few fixed generations with the
 * image statistics they must give (per-channel mean and standard deviation in [-1, 1], within a
 * tolerance) and the bar every image must clear (a picture, not a fill). Run by the worker when it loads
 * the package, through the same engine jobs use: a package, a libtorch build or a CPU that no longer
 * produces what the package was shipped with is caught before it takes a job.
 */
public final class PackageProbe {
    public static final String FILE = "probe.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One probe generation. Text-to-image: {@code prompt}, {@code guidanceScale}; super-resolution:
     * {@code input}, a PNG in the package at the model's low resolution.
     */
    public record Case(String prompt, String input, long seed, int steps, double guidanceScale, String sampler,
                       double[] mean, double[] std, double tolerance) {
    }

    /** What a probe found: passed, or the first difference, named. */
    public record Result(boolean passed, String message) {
    }

    /** The measured statistics of one image: per-channel mean and spread in [-1, 1], and as a picture. */
    public record Stats(double[] mean, double[] std, PictureStats picture) {
    }

    private PackageProbe() {
    }

    /** The package's probe cases; empty if it ships none. */
    public static List<Case> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.path("cases")) {
                cases.add(new Case(c.path("prompt").asText(null), c.path("input").asText(null), c.path("seed").asLong(),
                        c.path("steps").asInt(), c.path("guidance_scale").asDouble(1.0), c.path("sampler").asText("ddim"),
                        doubles(c.path("expect").path("mean")), doubles(c.path("expect").path("std")),
                        c.path("tolerance").asDouble()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + FILE + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Runs every case and compares; the message names the package, the case and the measured difference. */
    public static Result check(LoadedModel model, Path dir, DiffusionEngine engine) {
        List<Case> cases = read(dir);
        String name = model.spec().nameAtVersion();
        if (cases.isEmpty()) {
            return new Result(false, name + ": the package ships no " + FILE);
        }
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Stats s = measure(model, dir, c, engine);
            String label = name + ": probe case " + i + " (" + (c.prompt() != null ? "'" + c.prompt() + "'" : c.input()) + ")";
            if (!s.picture().isPicture()) {
                return new Result(false, String.format(Locale.ROOT, "%s is not a picture: %d colours, contrast %.2f",
                        label, s.picture().distinctColours(), s.picture().contrast()));
            }
            double worst = -1;
            String where = "";
            for (int ch = 0; ch < 3; ch++) {
                for (boolean isMean : new boolean[] {true, false}) {
                    double got = isMean ? s.mean()[ch] : s.std()[ch];
                    double want = isMean ? c.mean()[ch] : c.std()[ch];
                    double d = Math.abs(got - want);
                    d = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    if (d > worst) {
                        worst = d;
                        where = String.format(Locale.ROOT, "%s of channel %d is %.4f, expected %.4f",
                                isMean ? "mean" : "std", ch, got, want);
                    }
                }
            }
            if (!(worst <= c.tolerance())) {
                return new Result(false, String.format(Locale.ROOT, "%s differs by %.4f (tolerance %.4f): %s",
                        label, worst, c.tolerance(), where));
            }
        }
        return new Result(true, name + ": " + cases.size() + " probe case(s) passed");
    }

    /** Generates one case's image and measures it (what the recorder writes into probe.json). */
    public static Stats measure(LoadedModel model, Path dir, Case c, DiffusionEngine engine) {
        DiffusionEngine.Sampling sampling = DiffusionEngine.Sampling.deterministic(c.sampler(), c.steps());
        float[] image;
        if (model.spec().kind() == Stage.BASE) {
            var sample = PromptInput.encode(model.tokenizer(), c.prompt(), "").sample(c.seed(), c.guidanceScale());
            image = engine.textToImage(model, List.of(sample), sampling, BatchListener.ALL).image(0);
        } else {
            byte[] png;
            try {
                png = Files.readAllBytes(dir.resolve(c.input()));
            } catch (IOException e) {
                throw new UncheckedIOException(dir + ": probe input " + c.input() + " is unreadable", e);
            }
            ImageSize output = model.spec().nativeSize();
            var sample = LowResInput.sample(c.seed(), LowResInput.decodePng(png, output.dividedBy(model.spec().upscaleFactor())),
                    output, model.spec());
            image = engine.upscale(model, List.of(sample), sampling, BatchListener.ALL).image(0);
        }
        return stats(image);
    }

    /** Measures a CHW image in [-1, 1]; NaN pixels encode as black, as they would in a PNG. */
    public static Stats stats(float[] chw) {
        int plane = chw.length / 3;
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int ch = 0; ch < 3; ch++) {
            double sum = 0;
            double sq = 0;
            for (int p = 0; p < plane; p++) {
                double v = Math.max(-1, Math.min(1, chw[ch * plane + p])); // NaN stays NaN
                sum += v;
                sq += v * v;
            }
            mean[ch] = sum / plane;
            std[ch] = Math.sqrt(Math.max(0, sq / plane - mean[ch] * mean[ch]));
        }
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = (byte8(chw[p]) << 16) | (byte8(chw[plane + p]) << 8) | byte8(chw[2 * plane + p]);
        }
        return new Stats(mean, std, PictureStats.ofRgb(rgb));
    }

    private static int byte8(float v) {
        return Math.round((Math.max(-1f, Math.min(1f, v)) + 1f) * 127.5f);
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            out[i] = array.path(i).asDouble(Double.NaN);
        }
        return out;
    }
}
