package dev.genq.gateway.job;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/jobs/{id}/upscale}: which released preview sample to sharpen. */
@Schema(name = "Upscale")
public record UpscaleRequest(@Schema(required = true, minimum = "0") Integer sample) {
}
