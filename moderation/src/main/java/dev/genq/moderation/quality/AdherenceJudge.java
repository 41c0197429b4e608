package dev.genq.moderation.quality;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.moderation.inference.ImageInput;
import dev.genq.storage.inference.OneDnnIsaCap;
import dev.genq.storage.inference.Tokenizer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A judge model package ({@code "kind": "judge"}, models/README.md): an image encoder and a text encoder
 * into one unit-length feature space. A sample's adherence score is the cosine similarity of its image
 * and its prompt, and passes at the package's calibrated {@code threshold}; the image features also
 * measure how different a job's samples are from each other. The package's probe (an image, a prompt
 * and the similarity they must give) runs at load, so a broken package or kernel stops moderation at
 * start instead of grading every sample wrongly.
 */
public final class AdherenceJudge implements AutoCloseable {
    private final String version;
    private final int resolution;
    private final double threshold;
    private final Tokenizer tokenizer;
    private final Model imageEncoder;
    private final Model textEncoder;

    private AdherenceJudge(String version, int resolution, double threshold, Tokenizer tokenizer, Model imageEncoder,
                           Model textEncoder) {
        this.version = version;
        this.resolution = resolution;
        this.threshold = threshold;
        this.tokenizer = tokenizer;
        this.imageEncoder = imageEncoder;
        this.textEncoder = textEncoder;
    }

    public static AdherenceJudge load(Path dir) {
        OneDnnIsaCap.apply(); // before libtorch loads (see OneDnnIsaCap)
        JsonNode spec;
        try {
            spec = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
        } catch (IOException e) {
            throw refused(dir, "model.json unreadable: " + e.getMessage());
        }
        if (!"judge".equals(spec.path("kind").asText())) {
            throw refused(dir, "kind is '" + spec.path("kind").asText() + "', not 'judge'");
        }
        int resolution = spec.path("resolution").asInt(0);
        JsonNode threshold = spec.path("threshold");
        JsonNode text = spec.path("text_encoder");
        if (resolution <= 0 || !threshold.isNumber() || threshold.asDouble() < -1 || threshold.asDouble() > 1
                || !text.path("file").isTextual() || !text.path("vocab").isTextual() || text.path("max_tokens").asInt(0) <= 0) {
            throw refused(dir, "needs resolution, a threshold in [-1, 1], and text_encoder.file, .vocab and .max_tokens");
        }
        Path vocab = dir.resolve(text.path("vocab").asText());
        if (!Files.isRegularFile(vocab)) {
            throw refused(dir, "vocabulary '" + text.path("vocab").asText() + "' is missing");
        }
        Model image = torchScript(dir, spec.path("image_encoder").asText("image_encoder.pt"));
        Model prompt = null;
        try {
            prompt = torchScript(dir, text.path("file").asText());
            AdherenceJudge judge = new AdherenceJudge(spec.path("name").asText() + "@" + spec.path("version").asText(), resolution,
                    threshold.asDouble(), Tokenizer.load(vocab, text.path("max_tokens").asInt()), image, prompt);
            judge.probe(dir, spec.path("probe"));
            return judge;
        } catch (RuntimeException e) {
            image.close();
            if (prompt != null) {
                prompt.close();
            }
            throw e;
        }
    }

    /** name@version, recorded with every verdict. */
    public String version() {
        return version;
    }

    /** The similarity at or above which a sample adheres to its prompt (calibrated with the weights). */
    public double threshold() {
        return threshold;
    }

    /** The image's unit-length features. */
    public float[] embedImage(BufferedImage image) {
        return forward(imageEncoder, ImageInput.toChw(image, resolution), null);
    }

    /** The prompt's unit-length features, in the same space as the image's. */
    public float[] embedPrompt(String prompt) {
        return forward(textEncoder, null, tokenizer.encode(prompt).ids());
    }

    public static double similarity(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("features of " + a.length + " and " + b.length + " dimensions");
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot;
    }

    private synchronized float[] forward(Model model, float[] chw, long[] tokens) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = chw != null ? m.create(chw, new Shape(1, 3, resolution, resolution))
                    : m.create(tokens, new Shape(1, tokens.length));
            NDArray out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            float[] features = out.toFloatArray();
            for (float f : features) {
                if (!Float.isFinite(f)) {
                    throw new IllegalStateException("judge " + version + " returned a non-finite feature");
                }
            }
            return features;
        }
    }

    private void probe(Path dir, JsonNode probe) {
        if (probe.isMissingNode()) {
            throw refused(dir, "ships no probe (model.json 'probe': an image, a prompt and the similarity they give)");
        }
        Path file = dir.resolve(probe.path("image").asText());
        byte[] png;
        try {
            png = Files.readAllBytes(file);
        } catch (IOException e) {
            throw refused(dir, "probe image '" + probe.path("image").asText() + "' unreadable: " + e.getMessage());
        }
        double measured = similarity(embedImage(ImageInput.decode(png)), embedPrompt(probe.path("prompt").asText()));
        double expected = probe.path("expect").asDouble();
        double tolerance = probe.path("tolerance").asDouble(0.02);
        if (Math.abs(measured - expected) > tolerance) {
            throw refused(dir, String.format(Locale.ROOT, "probe failed: similarity of '%s' and its image is %.4f, expected %.4f ± %.4f",
                    probe.path("prompt").asText(), measured, expected, tolerance));
        }
    }

    private static Model torchScript(Path dir, String file) {
        if (!Files.isRegularFile(dir.resolve(file))) {
            throw refused(dir, "file '" + file + "' is missing");
        }
        String stem = file.endsWith(".pt") ? file.substring(0, file.length() - 3) : file;
        Model model = Model.newInstance(stem, Device.cpu(), "PyTorch");
        try {
            model.load(dir, stem);
            return model;
        } catch (Exception e) {
            model.close();
            throw refused(dir, "'" + file + "' does not load: " + e.getMessage());
        }
    }

    private static IllegalStateException refused(Path dir, String why) {
        return new IllegalStateException("judge package " + dir + ": " + why);
    }

    @Override
    public void close() {
        imageEncoder.close();
        textEncoder.close();
    }
}
