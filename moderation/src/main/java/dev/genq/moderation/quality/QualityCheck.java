package dev.genq.moderation.quality;

import dev.genq.moderation.metrics.ModerationMeters;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A sample's quality verdict: the {@link PictureCheck} (always), then, for a picture, the judge's prompt
 * adherence and image features; applies the policy (blank-action, adherence-action) and counts every
 * verdict per model version ({@code genq.quality.checked}, {@code genq.quality.failed} per reason,
 * {@code genq.quality.adherence}; {@code genq.samples.low_adherence} in all, for the dashboard and alerts).
 */
@Startup // load (and probe) the model at start: a broken package stops the service, not its first sample
@ApplicationScoped
public class QualityCheck {
    private static final Set<String> ACTIONS = Set.of(QualitySettings.FAIL, QualitySettings.FLAG);
    static final String LOW_ADHERENCE = "low_adherence";

    private final QualitySettings settings;
    private final PictureCheck pictures;
    private final AdherenceJudge judge;
    private final ModerationMeters meters;

    /** The verdict, and the judge's image features (null without a judge or a picture) for the job's diversity. */
    public record Result(QualityVerdict verdict, float[] features) {
    }

    public QualityCheck(QualitySettings settings, PictureCheck pictures, ModerationMeters meters) {
        requireAction("blank-action", settings.blankAction());
        requireAction("adherence-action", settings.adherenceAction());
        this.settings = settings;
        this.pictures = pictures;
        this.meters = meters;
        this.judge = settings.judge().map(AdherenceJudge::load).orElse(null);
    }

    private static void requireAction(String key, String value) {
        if (!ACTIONS.contains(value)) {
            throw new IllegalStateException("genq.moderation.quality." + key + " is '" + value + "'; it must be fail or flag");
        }
    }

    void close(@Observes ShutdownEvent ignored) {
        if (judge != null) {
            judge.close();
        }
    }

    /** The verdict; counts nothing (a redelivered sample is checked again): call {@link #count} once it is decided. */
    public Result check(byte[] png, String prompt) {
        PictureCheck.Picture picture = pictures.check(png);
        List<String> reasons = new ArrayList<>(picture.reasons());
        String action = picture.isPicture() ? null : settings.blankAction();
        Double score = null;
        float[] features = null;
        if (picture.isPicture() && judge != null) {
            features = judge.embedImage(picture.image());
            score = Math.round(AdherenceJudge.similarity(features, judge.embedPrompt(prompt == null ? "" : prompt)) * 10000) / 10000.0;
            if (score < judge.threshold()) {
                reasons.add(LOW_ADHERENCE);
                action = settings.adherenceAction();
            }
        }
        QualityVerdict verdict = new QualityVerdict(reasons.isEmpty(), action, List.copyOf(reasons), score,
                score == null ? null : judge.threshold(), score == null ? null : judge.version(),
                picture.distinctColours(), picture.contrast());
        return new Result(verdict, features);
    }

    /** Counts a verdict once, when its sample's status changed (so redelivered events do not count twice). */
    public void count(QualityVerdict verdict, String modelVersion) {
        meters.qualityChecked(modelVersion).increment();
        for (String reason : verdict.reasons()) {
            meters.qualityFailed(modelVersion, reason).increment();
        }
        if (verdict.score() != null) {
            meters.qualityAdherence(modelVersion).record(verdict.score());
        }
        if (verdict.reasons().contains(LOW_ADHERENCE)) {
            meters.samplesLowAdherence().increment();
        }
    }
}
