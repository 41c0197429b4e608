package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;
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
 * @param textEncoders one or more (format 2: several, their outputs concatenated as declared); none for models
 *                     conditioned on an image only (super-resolution)
 * @param vaeDecoder  null for a model that draws the picture itself; else its denoiser draws latents and this decodes them
 */
public record ModelSpec(String name, String version, Stage kind, int resolution, int lowResolution, int channels,
                        SchedulerConfig scheduler, String denoiserFile,
                        List<TextEncoderSpec> textEncoders, VaeDecoderSpec vaeDecoder, int defaultSteps, double defaultGuidanceScale,
                        String defaultSampler, String license, int startTimestep, List<ImageSize> sizes) {

    /** The side no package may exceed in a declared size (a 8192-pixel side is far past any model's training). */
    static final int MAX_SIDE = 8192;

    /** The size a job gets when it asks for none: {@code resolution} square. */
    public ImageSize nativeSize() {
        return ImageSize.square(resolution);
    }

    /** Whether this model draws (super-resolution: answers) pictures of {@code size}. */
    public boolean draws(ImageSize size) {
        return sizes.contains(size);
    }

    /** A super-resolution model's factor: its output side over its input side (integral, checked at read). */
    public int upscaleFactor() {
        return lowResolution == 0 ? 1 : resolution / lowResolution;
    }

    /**
     * A latent package's {@code vae_decoder}: the decoder is given {@code latents / scaling_factor + shift_factor}
     * (diffusers' convention) and answers the picture, {@code downsample} times the latents' side.
     */
    public record VaeDecoderSpec(String file, int latentChannels, double scalingFactor, double shiftFactor, int downsample) {
    }

    /** The channels of what the denoiser draws: the picture's, or the latents'. */
    public int sampleChannels() {
        return vaeDecoder == null ? channels : vaeDecoder.latentChannels();
    }

    /**
     * @param vocab     a v1 word list (one word per line), or null
     * @param tokenizer a v2 Hugging Face tokenizer.json, or null; exactly one of the two
     * @param padToken  what tokenizer.json pads with where the file has no padding section, else null
     */
    public record TextEncoderSpec(String file, String vocab, String tokenizer, String padToken, int maxTokens) {
        /** The file the tokenizer is read from, whichever kind. */
        public String tokenizerFile() {
            return tokenizer != null ? tokenizer : vocab;
        }
    }

    /** The training schedule's length. */
    public int timesteps() {
        return scheduler.numTrainTimesteps();
    }

    public Prediction prediction() {
        return scheduler.prediction();
    }

    public TimestepSpacing timestepSpacing() {
        return scheduler.timestepSpacing();
    }

    /** The most steps a job may run: the schedule's length, less diffusers' steps_offset where leading spacing adds it. */
    public int maxSteps() {
        return scheduler.timestepSpacing() == TimestepSpacing.LEADING_INTEGER_RATIO
                ? scheduler.numTrainTimesteps() - scheduler.stepsOffset() : scheduler.numTrainTimesteps();
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
        SchedulerConfig scheduler = Files.isRegularFile(dir.resolve(SchedulerConfig.FILE))
                ? diffusersScheduler(dir, json, problems) : v1Scheduler(json, problems);
        if (json.has("vae_decoder") && !Files.isRegularFile(dir.resolve(SchedulerConfig.FILE))) {
            problems.add("a package with a vae_decoder needs a " + SchedulerConfig.FILE + ": a v1 schedule clips x0 to the "
                    + "picture's range, which would clip the latents");
        }
        int timesteps = scheduler == null ? 0 : scheduler.numTrainTimesteps();
        String denoiser = text(json, "denoiser", problems);
        List<TextEncoderSpec> encoders = new ArrayList<>();
        int lowResolution = 0;
        if (kind == Stage.BASE) {
            JsonNode te = json.path("text_encoder");
            if (te.isArray() && !te.isEmpty()) { // several, concatenated in this order (SDXL's two CLIP encoders)
                for (int i = 0; i < te.size(); i++) {
                    encoders.add(textEncoder(te.get(i), "text_encoder[" + i + "]", problems));
                }
            } else if (te.isObject()) {
                encoders.add(textEncoder(te, "text_encoder", problems));
            } else {
                problems.add("text_encoder (an object, or a non-empty array of them) is required for a text-to-image model");
            }
        } else if (kind == Stage.SUPER_RESOLUTION) {
            lowResolution = positiveInt(json, "low_resolution", problems);
        }
        VaeDecoderSpec vae = json.has("vae_decoder") ? vaeDecoder(json.path("vae_decoder"), kind, resolution, problems) : null;
        // optional: start the stage from the condition noised to this timestep instead of pure noise (SR)
        int startTimestep = json.path("start_timestep").asInt(0);
        if (startTimestep < 0 || timesteps > 0 && startTimestep >= timesteps) {
            problems.add("start_timestep must be between 1 and schedule.timesteps - 1 (or absent)");
        }
        JsonNode defaults = json.path("defaults");
        int steps = positiveInt(defaults, "steps", problems, "defaults.steps");
        double guidance = defaults.path("guidance_scale").asDouble(1.0);
        String sampler = defaults.path("sampler").asText("ddim");
        List<String> files = new ArrayList<>();
        files.add(denoiser);
        encoders.forEach(e -> files.addAll(java.util.Arrays.asList(e.file(), e.tokenizerFile())));
        files.add(vae == null ? null : vae.file());
        for (String f : files) {
            if (f != null && !Files.isRegularFile(dir.resolve(f))) {
                problems.add("file '" + f + "' named in model.json is missing");
            }
        }
        List<ImageSize> sizes = sizes(json, resolution, vae == null ? 1 : vae.downsample(),
                kind == Stage.SUPER_RESOLUTION && lowResolution > 0 ? resolution / lowResolution : 1, problems);
        if (kind == Stage.SUPER_RESOLUTION && lowResolution > 0 && resolution % lowResolution != 0) {
            problems.add("resolution " + resolution + " is not a multiple of low_resolution " + lowResolution);
        }
        if (!problems.isEmpty()) {
            throw new ModelPackageException(dir, String.join("; ", problems));
        }
        return new ModelSpec(name, version, kind, resolution, lowResolution, channels, scheduler, denoiser, List.copyOf(encoders), vae,
                steps, guidance, sampler, json.path("license").asText(""), startTimestep, sizes);
    }

    /**
     * The sizes it draws (aspect-ratio buckets): {@code "sizes": [[width, height], ...]}, the native square first
     * whether listed or not. Each side a multiple of the latents' downsampling (the denoiser draws whole latent
     * cells) and of a super-resolution model's factor (its input is a whole picture).
     */
    private static List<ImageSize> sizes(JsonNode json, int resolution, int downsample, int factor, List<String> problems) {
        List<ImageSize> sizes = new ArrayList<>();
        if (resolution > 0) {
            sizes.add(ImageSize.square(resolution));
        }
        JsonNode declared = json.path("sizes");
        if (declared.isMissingNode()) {
            return List.copyOf(sizes);
        }
        if (!declared.isArray()) {
            problems.add("sizes must be an array of [width, height] pairs");
            return List.copyOf(sizes);
        }
        int multiple = Math.max(downsample, 1) * Math.max(factor, 1);
        for (JsonNode pair : declared) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToExactIntegral()
                    || !pair.get(1).canConvertToExactIntegral()) {
                problems.add("sizes: " + pair + " is not a [width, height] pair of whole numbers");
                continue;
            }
            int w = pair.get(0).asInt();
            int h = pair.get(1).asInt();
            if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || w % multiple != 0 || h % multiple != 0) {
                problems.add("sizes: " + w + "x" + h + " needs both sides between 1 and " + MAX_SIDE
                        + " and multiples of " + multiple);
                continue;
            }
            ImageSize size = new ImageSize(w, h);
            if (!sizes.contains(size)) {
                sizes.add(size);
            }
        }
        return List.copyOf(sizes);
    }

    /** One text encoder and its tokenizer: a word list (v1) or a tokenizer.json (v2), exactly one. */
    private static TextEncoderSpec textEncoder(JsonNode te, String label, List<String> problems) {
        boolean tokenizerJson = te.has("tokenizer");
        if (tokenizerJson == te.has("vocab")) {
            problems.add(label + " names a vocab (word list) or a tokenizer (tokenizer.json): exactly one");
        }
        return new TextEncoderSpec(text(te, "file", problems, label + ".file"),
                tokenizerJson ? null : text(te, "vocab", problems, label + ".vocab"),
                tokenizerJson ? text(te, "tokenizer", problems, label + ".tokenizer") : null,
                te.path("pad_token").isTextual() ? te.path("pad_token").asText() : null,
                positiveInt(te, "max_tokens", problems, label + ".max_tokens"));
    }

    /** v2: the latent pipeline's decoder; a text-to-image model's only (super-resolution draws pictures). */
    private static VaeDecoderSpec vaeDecoder(JsonNode vae, Stage kind, int resolution, List<String> problems) {
        if (kind == Stage.SUPER_RESOLUTION) {
            problems.add("vae_decoder is for text-to-image models; a super-resolution model draws the picture itself");
        }
        String file = text(vae, "file", problems, "vae_decoder.file");
        int latentChannels = positiveInt(vae, "latent_channels", problems, "vae_decoder.latent_channels");
        int downsample = positiveInt(vae, "downsample", problems, "vae_decoder.downsample");
        double scaling = vae.path("scaling_factor").asDouble(0);
        if (!vae.path("scaling_factor").isNumber() || !(scaling > 0) || Double.isInfinite(scaling)) {
            problems.add("vae_decoder.scaling_factor is missing or not a positive number");
        }
        JsonNode shift = vae.path("shift_factor");
        if (!shift.isMissingNode() && !shift.isNull() && !(shift.isNumber() && Double.isFinite(shift.asDouble()))) {
            problems.add("vae_decoder.shift_factor must be a number (or absent: 0)");
        }
        if (downsample > 0 && resolution > 0 && resolution % downsample != 0) {
            problems.add("resolution " + resolution + " is not a multiple of vae_decoder.downsample " + downsample);
        }
        return new VaeDecoderSpec(file, latentChannels, scaling, shift.asDouble(0), downsample);
    }

    /** v1: model.json's {@code prediction} and {@code schedule} block. */
    private static SchedulerConfig v1Scheduler(JsonNode json, List<String> problems) {
        int before = problems.size();
        String predictionText = text(json, "prediction", problems);
        Prediction prediction = "epsilon".equals(predictionText) || "v".equals(predictionText) ? Prediction.ofWire(predictionText) : null;
        if (predictionText != null && prediction == null) {
            problems.add("prediction must be 'epsilon' or 'v', not '" + predictionText + "'");
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
        if (spacing == null || spacing == TimestepSpacing.LEADING_INTEGER_RATIO) { // that one is scheduler_config.json's "leading"
            spacing = null;
            problems.add("schedule.timestep_spacing must be 'leading', 'trailing' or 'linspace', not '" + spacingText + "'");
        }
        return problems.size() > before ? null : SchedulerConfig.v1(scheduleType, timesteps, prediction, spacing);
    }

    /** v2: diffusers' scheduler_config.json beside model.json, which then names no schedule of its own. */
    private static SchedulerConfig diffusersScheduler(Path dir, JsonNode json, List<String> problems) {
        if (json.has("schedule") || json.has("prediction")) {
            problems.add("model.json names a schedule or prediction and the package has " + SchedulerConfig.FILE
                    + ": one of them, not both");
        }
        try {
            return SchedulerConfig.diffusers(new ObjectMapper().readTree(dir.resolve(SchedulerConfig.FILE).toFile()), problems,
                    json.has("vae_decoder"));
        } catch (IOException e) {
            problems.add(SchedulerConfig.FILE + " is not valid JSON: " + e.getMessage());
            return null;
        }
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
