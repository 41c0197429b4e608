package dev.genq.moderation.preview;

import dev.genq.moderation.metrics.ModerationMeters;
import dev.genq.moderation.safety.SampleScorer;
import dev.genq.moderation.safety.Verdict;
import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.PreviewGenerated;
import dev.genq.storage.messaging.PreviewModerated;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides one live preview with the policy final samples get: the safety classifier scores the image, the
 * prompt policy reads the job's prompt, and anything that would send a sample to review withholds the
 * preview (its image goes no further). Nothing is stored; a preview too old to matter is not scored.
 */
@ApplicationScoped
public class PreviewModerator {
    private static final int JOBS_KEPT = 1000;

    private final SampleScorer scorer;
    private final ModerationMeters meters;
    private final Duration maxAge;
    private final Clock clock;
    /** A job's tenant and prompt, which never change. */
    private record Owned(UUID tenantId, String prompt) {
    }

    /** Recently previewed jobs: a job's previews arrive in a burst. */
    private final Map<UUID, Owned> jobs = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Owned> eldest) {
            return size() > JOBS_KEPT;
        }
    });

    public PreviewModerator(SampleScorer scorer, ModerationMeters meters, PreviewSettings settings) {
        this.scorer = scorer;
        this.meters = meters;
        this.maxAge = settings.maxAge();
        this.clock = Clock.systemUTC();
    }

    /** @return the answer to publish, or empty when the preview is dropped (too old, or its job is gone) */
    public Optional<PreviewModerated> decide(PreviewGenerated preview) {
        if (preview.madeAt() == null || preview.madeAt().plus(maxAge).isBefore(clock.instant())) {
            meters.previews("stale").increment();
            return Optional.empty();
        }
        Owned job = jobs.computeIfAbsent(preview.jobId(), id -> QuarkusTransaction.requiringNew().call(() -> {
            Job row = Job.findById(id);
            return row == null ? null : new Owned(row.tenantId, row.prompt);
        }));
        if (job == null || !job.tenantId().equals(preview.tenantId())) { // checked every time, not only when first read
            meters.previews("failed").increment();
            return Optional.empty();
        }
        Verdict verdict = scorer.scorePreview(Base64.getDecoder().decode(preview.png()), job.prompt());
        meters.previews(verdict.quarantine() ? "withheld" : "released").increment();
        return Optional.of(verdict.quarantine() ? PreviewModerated.withheld(preview) : PreviewModerated.released(preview));
    }
}
