package dev.genq.moderation.safety;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import dev.genq.moderation.inference.ImageInput;
import dev.genq.storage.inference.OneDnnIsaCap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A classifier model package ({@code "kind": "classifier"}): TorchScript mapping images [B, 3, R, R] in
 * [-1, 1] to one score in [0, 1] per label in {@code model.json}'s {@code labels}. Any such package works;
 * the labels are the concepts the policy configures.
 */
public final class SafetyClassifier implements AutoCloseable {
    static final double DEFAULT_THRESHOLD = 0.5;

    private final String name;
    private final String version;
    private final int resolution;
    private final List<String> labels;
    private final Map<String, Double> thresholds;
    private final Model model;

    private SafetyClassifier(String name, String version, int resolution, List<String> labels,
                             Map<String, Double> thresholds, Model model) {
        this.name = name;
        this.version = version;
        this.resolution = resolution;
        this.labels = labels;
        this.thresholds = thresholds;
        this.model = model;
    }

    public static SafetyClassifier load(Path dir) {
        OneDnnIsaCap.apply(); // before libtorch loads (see OneDnnIsaCap)
        JsonNode spec;
        try {
            spec = new ObjectMapper().readTree(dir.resolve("model.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException("classifier package " + dir + ": model.json unreadable: " + e.getMessage(), e);
        }
        if (!"classifier".equals(spec.path("kind").asText())) {
            throw new IllegalStateException("classifier package " + dir + ": kind is '" + spec.path("kind").asText() + "', not 'classifier'");
        }
        List<String> labels = new ArrayList<>();
        spec.path("labels").forEach(l -> labels.add(l.asText()));
        // a misspelled label or a quoted number would silently fall back to 0.5 and lose the calibration
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (var entry : spec.path("thresholds").properties()) {
            String label = entry.getKey();
            JsonNode t = entry.getValue();
            if (!labels.contains(label)) {
                throw new IllegalStateException("classifier package " + dir + ": threshold for '" + label + "', which is not a label");
            }
            if (!t.isNumber() || t.asDouble() <= 0 || t.asDouble() > 1) {
                throw new IllegalStateException("classifier package " + dir + ": threshold of '" + label + "' is "
                        + t + ", not a number in (0, 1]");
            }
            thresholds.put(label, t.asDouble());
        }
        int resolution = spec.path("resolution").asInt(0);
        String file = spec.path("classifier").asText("classifier.pt");
        if (labels.isEmpty() || resolution <= 0 || !Files.isRegularFile(dir.resolve(file))) {
            throw new IllegalStateException("classifier package " + dir + ": needs labels, a resolution and the file '" + file + "'");
        }
        String stem = file.endsWith(".pt") ? file.substring(0, file.length() - 3) : file;
        Model model = Model.newInstance(stem, Device.cpu(), "PyTorch");
        try {
            model.load(dir, stem);
        } catch (Exception e) {
            model.close();
            throw new IllegalStateException("classifier package " + dir + ": '" + file + "' does not load: " + e.getMessage(), e);
        }
        SafetyClassifier c = new SafetyClassifier(spec.path("name").asText(), spec.path("version").asText(), resolution,
                List.copyOf(labels), Map.copyOf(thresholds), model);
        c.score(new float[3 * resolution * resolution]); // fail at start, not on the first sample, if the shapes are wrong
        return c;
    }

    /** name@version, recorded with every score. */
    public String version() {
        return name + "@" + version;
    }

    public List<String> labels() {
        return labels;
    }

    /**
     * The score at or above which the package flags {@code label}: its calibrated {@code thresholds} entry in
     * model.json (fitted with the weights, see the model card), or 0.5 for a label it has none for.
     */
    public double threshold(String label) {
        return thresholds.getOrDefault(label, DEFAULT_THRESHOLD);
    }

    /** Scores a picture of any size: area-averaged or resampled to the classifier's resolution (squeezed if not square). */
    public Map<String, Double> scoreImage(java.awt.image.BufferedImage image) {
        return score(ImageInput.toChw(image, resolution));
    }

    synchronized Map<String, Double> score(float[] chw) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = m.create(chw, new Shape(1, 3, resolution, resolution));
            NDArray out = model.getBlock().forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            float[] scores = out.toFloatArray();
            if (scores.length != labels.size()) {
                throw new IllegalStateException("classifier " + version() + " returned " + scores.length + " scores for "
                        + labels.size() + " labels");
            }
            Map<String, Double> result = new LinkedHashMap<>();
            for (int i = 0; i < scores.length; i++) {
                result.put(labels.get(i), (double) scores[i]);
            }
            return result;
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
