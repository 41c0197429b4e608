package dev.genq.moderation.quality;

import dev.genq.storage.quality.PictureStats;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The cheap, always-on quality check: is the sample a picture at all? A PNG that does not decode, has
 * fewer than {@code min-distinct-colours} colours or almost no luminance spread (a solid fill, a
 * collapsed model, NaN pixels encoded as black) fails. Counted per model version, so a model whose
 * pass rate drops is visible ({@code genq.quality.checked}, {@code genq.quality.failed}).
 */
@ApplicationScoped
public class PictureCheck {
    private final QualitySettings settings;
    private final MeterRegistry metrics;

    public PictureCheck(QualitySettings settings, MeterRegistry metrics) {
        if (!QualitySettings.FAIL.equals(settings.blankAction()) && !QualitySettings.FLAG.equals(settings.blankAction())) {
            throw new IllegalStateException("genq.moderation.quality.blank-action is '" + settings.blankAction()
                    + "'; it must be fail or flag");
        }
        this.settings = settings;
        this.metrics = metrics;
    }

    public QualityVerdict check(byte[] png, String modelVersion) {
        QualityVerdict verdict = measure(png);
        String version = modelVersion == null ? "unknown" : modelVersion;
        metrics.counter("genq.quality.checked", "model_version", version).increment();
        for (String reason : verdict.reasons()) {
            metrics.counter("genq.quality.failed", "model_version", version, "reason", reason).increment();
        }
        return verdict;
    }

    QualityVerdict measure(byte[] png) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException | RuntimeException e) {
            img = null;
        }
        if (img == null) {
            return new QualityVerdict(false, 0, List.of("not_decodable"), settings.blankAction(), 0, 0);
        }
        PictureStats stats = PictureStats.of(img);
        double contrast = stats.contrast();
        List<String> reasons = new ArrayList<>();
        if (stats.distinctColours() < settings.minDistinctColours()) {
            reasons.add("too_few_colours");
        }
        if (contrast < settings.minContrast()) {
            reasons.add("no_contrast");
        }
        double score = Math.min(1.0, contrast / 32.0);
        return new QualityVerdict(reasons.isEmpty(), Math.round(score * 1000) / 1000.0, List.copyOf(reasons),
                settings.blankAction(), stats.distinctColours(), Math.round(contrast * 100) / 100.0);
    }
}
