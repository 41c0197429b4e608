package dev.genq.gateway.job;

import dev.genq.storage.job.ImageSize;

import dev.genq.storage.job.Stage;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.Problem.FieldError;
import dev.genq.gateway.model.ModelCatalog;
import dev.genq.api.problem.ProblemException;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.gateway.webhook.WebhookUrlGuard;
import dev.genq.api.policy.PromptPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import dev.genq.storage.job.Margins;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks a job request against {@link JobLimits} and the chosen model's catalog entry (its samplers,
 * step limit and defaults); reports every invalid field at once.
 */
@ApplicationScoped
public class JobRequestValidator {
    static final long MAX_SEED = (1L << 53) - 1; // exact in a JSON/JavaScript number

    private final JobLimits limits;
    private final ModelCatalog catalog;
    private final WebhookUrlGuard urlGuard;
    private final PromptPolicy policy;

    public JobRequestValidator(JobLimits limits, ModelCatalog catalog, WebhookUrlGuard urlGuard, PromptPolicy policy) {
        this.limits = limits;
        this.catalog = catalog;
        this.urlGuard = urlGuard;
        this.policy = policy;
    }

    public ValidJob validate(SubmitJobRequest r) {
        if (r == null) {
            throw ProblemException.badRequest("invalid_json", "the body must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        String prompt = r.prompt() == null ? null : r.prompt().strip();
        if (prompt == null || prompt.isEmpty()) {
            errors.add(new FieldError("prompt", "prompt_required", "'prompt' is required and must not be blank"));
        } else if (prompt.length() > limits.maxPromptChars()) {
            errors.add(new FieldError("prompt", "prompt_too_long",
                    "'prompt' has " + prompt.length() + " characters; the limit is " + limits.maxPromptChars()));
        }
        if (prompt != null && !prompt.isEmpty()) {
            // refused outright and named by concept only: echoing the matched term would teach evasion
            policy.blocked(prompt).ifPresent(concept -> {
                throw new ProblemException(Problem.invalid(List.of(new FieldError("prompt", "prompt_blocked",
                        "the prompt asks for '" + concept + "', which this platform does not generate"))));
            });
        }
        String negative = r.negativePrompt() == null ? "" : r.negativePrompt().strip();
        if (negative.length() > limits.maxPromptChars()) {
            errors.add(new FieldError("negative_prompt", "negative_prompt_too_long",
                    "'negative_prompt' is longer than " + limits.maxPromptChars() + " characters"));
        }
        JobMode mode = r.mode() == null ? JobMode.PREVIEW : JobMode.fromWire(r.mode());
        if (mode == null) {
            errors.add(new FieldError("mode", "unknown_mode", "'mode' must be 'preview' or 'full'"));
        }
        int numSamples = r.numSamples() == null ? 1 : r.numSamples();
        if (numSamples < 1 || numSamples > limits.maxSamples()) {
            errors.add(new FieldError("num_samples", "num_samples_out_of_range",
                    "'num_samples' must be between 1 and " + limits.maxSamples()));
        }
        long seed = r.seed() == null ? ThreadLocalRandom.current().nextLong(1L << 32) : r.seed();
        if (seed < 0 || seed > MAX_SEED) {
            errors.add(new FieldError("seed", "seed_out_of_range", "'seed' must be between 0 and " + MAX_SEED));
        }
        String modelName = r.model() == null ? limits.defaultModel() : r.model();
        ModelEntry model = catalog.find(modelName).filter(m -> m.kind.equals(Stage.BASE.modelKind())).orElse(null);
        if (model == null) {
            List<String> served = catalog.names(Stage.BASE.modelKind());
            errors.add(new FieldError("model", "unknown_model", served.isEmpty()
                    ? "no model is being served yet; try again when a worker is up"
                    : "'model' must be one of " + String.join(", ", served)));
        }
        if (mode == JobMode.FULL && catalog.names(Stage.SUPER_RESOLUTION.modelKind()).isEmpty()) {
            errors.add(new FieldError("mode", "mode_unavailable", "no super-resolution model is being served, so 'full' is unavailable"));
        }
        int steps = r.steps() != null ? r.steps() : model != null ? model.defaultSteps : 1;
        int maxSteps = model == null ? limits.maxSteps() : Math.min(limits.maxSteps(), model.maxSteps);
        if (steps < 1 || steps > maxSteps) {
            errors.add(new FieldError("steps", "steps_out_of_range", "'steps' must be between 1 and " + maxSteps));
        }
        double guidance = r.guidanceScale() != null ? r.guidanceScale() : model != null ? model.defaultGuidanceScale : 1.0;
        if (!(guidance >= 0 && guidance <= limits.maxGuidanceScale())) {
            errors.add(new FieldError("guidance_scale", "guidance_scale_out_of_range",
                    "'guidance_scale' must be between 0 and " + limits.maxGuidanceScale()));
        }
        String sampler = r.sampler() != null ? r.sampler() : model != null ? model.defaultSampler : null;
        if (model != null && !model.samplerList().contains(sampler)) {
            errors.add(new FieldError("sampler", "unknown_sampler",
                    "'sampler' must be one of " + String.join(", ", model.samplerList()) + " for model " + model.name));
        }
        int previewEvery = r.previewEvery() == null ? 0 : r.previewEvery();
        if (previewEvery < 0 || previewEvery > steps) {
            errors.add(new FieldError("preview_every", "preview_every_out_of_range",
                    "'preview_every' must be between 0 (no live previews) and the job's steps (" + steps + ")"));
        }
        ValidJob.InitImage initImage = initImage(r, errors);
        if (initImage != null && model != null && !catalog.takesImageInputs(model.name)) {
            errors.add(new FieldError("init_image", "model_takes_no_image_input", noImageInput(model.name)));
        }
        dev.genq.storage.job.Priority priority = r.priority() == null ? dev.genq.storage.job.Priority.INTERACTIVE
                : dev.genq.storage.job.Priority.fromWire(r.priority());
        if (priority == null) {
            errors.add(new FieldError("priority", "unknown_priority", "'priority' must be interactive or bulk"));
        }
        String webhookEvents = null;
        if (r.webhookEventsFilter() != null) {
            if (r.webhook() == null) {
                errors.add(new FieldError("webhook_events_filter", "webhook_required", "'webhook_events_filter' needs a 'webhook'"));
            }
            for (String type : r.webhookEventsFilter()) {
                if (!JobEvent.TYPES.contains(type)) {
                    errors.add(new FieldError("webhook_events_filter", "unknown_webhook_event",
                            "'webhook_events_filter' has an unknown event '" + type + "'; known: " + String.join(", ", JobEvent.TYPES)));
                }
            }
            webhookEvents = String.join(",", new java.util.TreeSet<>(r.webhookEventsFilter()));
        }
        if (r.webhook() != null) {
            urlGuard.check(r.webhook()).ifPresent(refusal ->
                    errors.add(new FieldError("webhook", refusal.code(), refusal.message())));
        }
        ImageSize size = size(r, model, mode, initImage != null, errors);
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors));
        }
        return new ValidJob(prompt, negative, mode, numSamples, seed, steps, guidance, sampler, modelName,
                r.webhook(), webhookEvents, previewEvery, initImage, priority,
                (r.cache() == null || r.cache()) && r.seed() != null, size);
    }

    /**
     * The size asked for, or null for the model's native square: one the model offers (every served version), at
     * the native square for a job that starts from an image, and for a full job one the super-resolution model
     * upscales.
     */
    private ImageSize size(SubmitJobRequest r, ModelEntry model, JobMode mode, boolean fromImage, List<FieldError> errors) {
        if (r.width() == null && r.height() == null) {
            return null;
        }
        if (r.width() == null || r.height() == null) {
            errors.add(new FieldError(r.width() == null ? "width" : "height", "size_incomplete",
                    "'width' and 'height' go together: give both, or neither for the model's native size"));
            return null;
        }
        if (r.width() < 1 || r.height() < 1) {
            errors.add(new FieldError("width", "size_unavailable", "'width' and 'height' must be at least 1"));
            return null;
        }
        ImageSize size = new ImageSize(r.width(), r.height());
        if (model == null) {
            return size; // unknown_model is reported already
        }
        List<ImageSize> offered = catalog.sizes(model.name);
        if (!offered.contains(size)) {
            errors.add(new FieldError("width", "size_unavailable", "model " + model.name + " draws "
                    + String.join(", ", offered.stream().map(ImageSize::toString).toList()) + ", not " + size));
            return size;
        }
        if (fromImage && !size.equals(ImageSize.square(model.resolution))) {
            errors.add(new FieldError("width", "size_unavailable", "a job that starts from an image runs at the model's "
                    + "native size " + ImageSize.square(model.resolution) + ", not " + size));
        }
        if (mode == JobMode.FULL) {
            upscaleRefusal(model, size).ifPresent(message -> errors.add(new FieldError("width", "size_unavailable", message)));
        }
        return size;
    }

    /**
     * Why no super-resolution model upscales a {@code size} picture of {@code base}; empty if one does. Its factor is
     * its resolution over the base model's (the preview it takes is the base model's native square).
     */
    public java.util.Optional<String> upscaleRefusal(ModelEntry base, ImageSize size) {
        for (String name : catalog.names(Stage.SUPER_RESOLUTION.modelKind())) {
            ModelEntry sr = catalog.find(name).orElseThrow();
            if (sr.resolution % base.resolution == 0 && catalog.sizes(name).contains(size.times(sr.resolution / base.resolution))) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of("no super-resolution model upscales " + size + " pictures of " + base.name
                + ", so a full job or an upscale of that size is unavailable");
    }

    static String noImageInput(String model) {
        return "model " + model + " (a version of it) draws latents and has no VAE encoder, so its jobs cannot start "
                + "from an image";
    }

    /** The image inputs, or null for text-to-image; whether the uploads may be used is checked at create. */
    private static ValidJob.InitImage initImage(SubmitJobRequest r, List<FieldError> errors) {
        if (r.initImage() == null) {
            if (r.strength() != null) {
                errors.add(new FieldError("strength", "init_image_required", "'strength' needs an 'init_image'"));
            }
            if (r.maskImage() != null) {
                errors.add(new FieldError("mask_image", "init_image_required", "'mask_image' needs an 'init_image'"));
            }
            if (r.outpaint() != null) {
                errors.add(new FieldError("outpaint", "init_image_required", "'outpaint' needs an 'init_image'"));
            }
            return null;
        }
        Margins margins = null;
        if (r.outpaint() != null) {
            SubmitJobRequest.Margins m = r.outpaint();
            int left = m.left() == null ? 0 : m.left();
            int top = m.top() == null ? 0 : m.top();
            int right = m.right() == null ? 0 : m.right();
            int bottom = m.bottom() == null ? 0 : m.bottom();
            if (left < 0 || top < 0 || right < 0 || bottom < 0 || (long) left + top + right + bottom == 0) {
                errors.add(new FieldError("outpaint", "outpaint_out_of_range",
                        "'outpaint' margins must be 0 or more pixels, and at least one above 0"));
            }
            if (r.maskImage() != null) {
                errors.add(new FieldError("outpaint", "outpaint_and_mask", "give 'outpaint' or 'mask_image', not both"));
            }
            margins = new Margins(left, top, right, bottom);
        }
        // outpainting draws its margins from noise: a fresh start there unless asked otherwise
        double strength = r.strength() != null ? r.strength() : margins != null ? 1.0 : DEFAULT_STRENGTH;
        if (!(strength >= 0 && strength <= 1)) {
            errors.add(new FieldError("strength", "strength_out_of_range", "'strength' must be between 0 and 1"));
        }
        return new ValidJob.InitImage(r.initImage(), r.maskImage(), strength, margins);
    }

    /** Enough of the init image's noise level left for the prompt to change it, while its layout stays. */
    static final double DEFAULT_STRENGTH = 0.75;
}
