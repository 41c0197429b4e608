package dev.genq.worker.engine;

import dev.genq.storage.job.Stage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model package's {@code model.json}, validated. See models/README.md for the contract.
 *
 * @param textEncoder null for models conditioned on an image only (super-resolution)
 */
public record ModelSpec(String name, String version, Stage kind, int resolution, int lowResolution, int channels,
                        String prediction, String scheduleType, int timesteps, String denoiserFile,
                        TextEncoderSpec textEncoder, int defaultSteps, double defaultGuidanceScale,
                        String defaultSampler, String license, int startTimestep,
                        TimestepSpacing timestepSpacing) {

    public record TextEncoderSpec(String file, String vocab, int maxTokens) {
    }

    public String nameAtVersion() {
        return name + "@" + version;
    }

    /** Reads and validates {@code dir/model.json}; the exception names the first thing that is wrong. */
    public static ModelSpec read(Path dir) {
        Path file = dir.resolve("model.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelPackageException(dir, "model.json is missing");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelPackageException(dir, "model.json is not valid JSON: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        String name = text(json, "name", problems);
        String version = text(json, "version", problems);
        String kindText = text(json, "kind", problems);
        Stage kind = kindText == null ? null : Stage.ofModelKind(kindText); // the stage a model of this kind runs
        if (kindText != null && kind == null) {
            problems.add("kind must be 'text-to-image' or 'super-resolution', not '" + kindText + "'");
        }
        int resolution = positiveInt(json, "resolution", problems);
        int channels = positiveInt(json, "channels", problems);
        String prediction = text(json, "prediction", problems);
        if (prediction != null && !prediction.equals("epsilon") && !prediction.equals("v")) {
            problems.add("prediction must be 'epsilon' or 'v', not '" + prediction + "'");
        }
        JsonNode schedule = json.path("schedule");
        String scheduleType = text(schedule, "type", problems, "schedule.type");
        if (scheduleType != null && !scheduleType.equals("cosine") && !scheduleType.equals("linear")) {
            problems.add("schedule.type must be 'cosine' or 'linear', not '" + scheduleType + "'");
        }
        int timesteps = positiveInt(schedule, "timesteps", problems, "schedule.timesteps");
        // absent: "leading", what every package made before the field existed was sampled with
        String spacingText = schedule.path("timestep_spacing").asText(TimestepSpacing.LEADING.wire());
        TimestepSpacing spacing = TimestepSpacing.ofWire(spacingText);
        if (spacing == null) {
            problems.add("schedule.timestep_spacing must be 'leading', 'trailing' or 'linspace', not '" + spacingText + "'");
        }
        String denoiser = text(json, "denoiser", problems);
        TextEncoderSpec encoder = null;
        int lowResolution = 0;
        if (kind == Stage.BASE) {
            JsonNode te = json.path("text_encoder");
            if (te.isMissingNode()) {
                problems.add("text_encoder is required for a text-to-image model");
            } else {
                encoder = new TextEncoderSpec(text(te, "file", problems, "text_encoder.file"),
                        text(te, "vocab", problems, "text_encoder.vocab"),
                        positiveInt(te, "max_tokens", problems, "text_encoder.max_tokens"));
            }
        } else if (kind == Stage.SUPER_RESOLUTION) {
            lowResolution = positiveInt(json, "low_resolution", problems);
        }
        // optional: start the stage from the condition noised to this timestep instead of pure noise (SR)
        int startTimestep = json.path("start_timestep").asInt(0);
        if (startTimestep < 0 || timesteps > 0 && startTimestep >= timesteps) {
            problems.add("start_timestep must be between 1 and schedule.timesteps - 1 (or absent)");
        }
        JsonNode defaults = json.path("defaults");
        int steps = positiveInt(defaults, "steps", problems, "defaults.steps");
        double guidance = defaults.path("guidance_scale").asDouble(1.0);
        String sampler = defaults.path("sampler").asText("ddim");
        for (String f : new String[] {denoiser, encoder == null ? null : encoder.file(), encoder == null ? null : encoder.vocab()}) {
            if (f != null && !Files.isRegularFile(dir.resolve(f))) {
                problems.add("file '" + f + "' named in model.json is missing");
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelPackageException(dir, String.join("; ", problems));
        }
        return new ModelSpec(name, version, kind, resolution, lowResolution, channels, prediction, scheduleType,
                timesteps, denoiser, encoder, steps, guidance, sampler, json.path("license").asText(""), startTimestep,
                spacing);
    }

    private static String text(JsonNode n, String field, List<String> problems) {
        return text(n, field, problems, field);
    }

    private static String text(JsonNode n, String field, List<String> problems, String label) {
        JsonNode v = n.path(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(label + " is missing or not a string");
            return null;
        }
        return v.asText();
    }

    private static int positiveInt(JsonNode n, String field, List<String> problems) {
        return positiveInt(n, field, problems, field);
    }

    private static int positiveInt(JsonNode n, String field, List<String> problems, String label) {
        JsonNode v = n.path(field);
        if (!v.isInt() || v.asInt() <= 0) {
            problems.add(label + " is missing or not a positive integer");
            return 0;
        }
        return v.asInt();
    }
}
