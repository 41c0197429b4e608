package dev.genq.storage.messaging;

import java.time.Instant;
import java.util.UUID;

/**
 * A worker's live preview of one sample mid-denoising: the model's current estimate of the finished image,
 * as a PNG. Topic {@link Topics#PREVIEWS_GENERATED}; moderation scores it before any client sees it.
 *
 * @param stage   {@code base} or {@code super_resolution}
 * @param step    steps of that stage done when the estimate was taken, of {@code steps}
 * @param png     the PNG, base64
 * @param madeAt  when the worker made it: a preview too old to be useful is dropped, not scored
 */
public record PreviewGenerated(UUID jobId, UUID tenantId, String stage, int sample, int step, int steps, String png,
                               Instant madeAt) {
}
