package dev.genq.storage.messaging;

import java.util.UUID;

/**
 * Moderation's answer for one live preview (topic {@link Topics#PREVIEWS_MODERATED}): released with its PNG,
 * or withheld without it. Only released previews' images ever reach a client.
 *
 * @param png the PNG, base64, when released; null when withheld
 */
public record PreviewModerated(UUID jobId, UUID tenantId, String stage, int sample, int step, int steps,
                               boolean released, String png) {

    public static PreviewModerated released(PreviewGenerated p) {
        return new PreviewModerated(p.jobId(), p.tenantId(), p.stage(), p.sample(), p.step(), p.steps(), true, p.png());
    }

    public static PreviewModerated withheld(PreviewGenerated p) {
        return new PreviewModerated(p.jobId(), p.tenantId(), p.stage(), p.sample(), p.step(), p.steps(), false, null);
    }
}
