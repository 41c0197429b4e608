package dev.genq.gateway.job;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/jobs}. Omitted optional fields take the model's defaults. */
@Schema(name = "SubmitJob")
public record SubmitJobRequest(
        @Schema(required = true, maxLength = 1000, examples = "a red apple") String prompt,
        @Schema(description = "what to steer away from; empty by default") String negativePrompt,
        @Schema(enumeration = {"preview", "full"}, defaultValue = "preview") String mode,
        @Schema(minimum = "1", maximum = "4", defaultValue = "1") Integer numSamples,
        @Schema(description = "0..2^53-1; random when omitted, always reported back") Long seed,
        @Schema(minimum = "1", maximum = "1000") Integer steps,
        @Schema(minimum = "0", maximum = "30") Double guidanceScale,
        @Schema(enumeration = {"ddim", "ddpm", "dpmpp_2m"}, defaultValue = "ddim") String sampler,
        String model,
        @Schema(description = "http(s) URL that receives this job's events, signed per Standard Webhooks; "
                + "hosts resolving to private, loopback or link-local addresses are refused", maxLength = 2048,
                examples = "https://example.com/genq-hook") String webhook,
        @Schema(description = "the events to send; omitted: all", enumeration = {"job.started", "job.succeeded",
                "job.failed", "job.canceled", "job.needs_review", "job.rejected", "sample.released", "sample.rejected"})
        java.util.List<String> webhookEventsFilter,
        @Schema(description = "send a live preview of each sample on the job's event stream after every this many "
                + "denoising steps, each moderated like a final sample (a flagged one is withheld); 0 or omitted: none",
                minimum = "0", maximum = "1000", defaultValue = "0") Integer previewEvery,
        @Schema(description = "image-to-image: an accepted upload (POST /v1/uploads) to start from instead of noise; it is "
                + "centre-cropped to a square and resized to the model's resolution") String initImage,
        @Schema(description = "with init_image: how much of it is denoised again, 0 keeps it, 1 ignores it",
                minimum = "0", maximum = "1", defaultValue = "0.75") Double strength,
        @Schema(description = "inpainting, with init_image: an accepted upload, cropped and resized like it, white (or "
                + "transparent) where the image is redrawn and black where every pixel is kept") String maskImage,
        @Schema(description = "outpainting (zoom out), with init_image: margins in the upload's pixels that extend its "
                + "canvas; they are drawn, the upload's area kept; strength defaults to 1") Margins outpaint,
        @Schema(description = "interactive: dispatched first, counted against the concurrency quota; bulk: cheaper, "
                + "dispatched when interactive work leaves room (never starved), capped separately",
                enumeration = {"interactive", "bulk"}, defaultValue = "interactive") String priority,
        @Schema(description = "false: always compute, even when an identical earlier request of this tenant could be "
                + "answered from storage (see README: Result cache)", defaultValue = "true") Boolean cache,
        @Schema(description = "true: validate and answer 200 with the expected cost and queue wait; nothing is created, "
                + "queued, reserved or billed", defaultValue = "false") Boolean dryRun,
        @Schema(description = "the picture's width in pixels: one of the model's sizes (GET /v1/models: sizes), with "
                + "height; omitted: the model's native square. A full job's upscale is the super-resolution factor "
                + "times it", examples = "48") Integer width,
        @Schema(description = "the picture's height in pixels, with width", examples = "32") Integer height) {

    /** An outpainting's margins, in the upload's pixels. */
    @Schema(name = "Margins")
    public record Margins(@Schema(minimum = "0") Integer left, @Schema(minimum = "0") Integer top,
                          @Schema(minimum = "0") Integer right, @Schema(minimum = "0") Integer bottom) {
    }

    /** The fields a text-only request had before image inputs (every image field absent). */
    public SubmitJobRequest(String prompt, String negativePrompt, String mode, Integer numSamples, Long seed, Integer steps,
                            Double guidanceScale, String sampler, String model, String webhook,
                            java.util.List<String> webhookEventsFilter, Integer previewEvery) {
        this(prompt, negativePrompt, mode, numSamples, seed, steps, guidanceScale, sampler, model, webhook,
                webhookEventsFilter, previewEvery, null, null, null, null, null, null, null, null, null);
    }
}
