package dev.genq.moderation.quality;

import dev.genq.moderation.inference.ImageInput;
import dev.genq.storage.quality.PictureStats;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The cheap, always-on check: is the sample a picture at all? A PNG that does not decode, has fewer than
 * {@code min-distinct-colours} colours or almost no luminance spread (a solid fill, a collapsed model,
 * NaN pixels encoded as black) is not.
 */
@ApplicationScoped
public class PictureCheck {
    private final QualitySettings settings;

    /** What the check saw: the decoded image (null when it does not decode) and the failed checks' codes. */
    public record Picture(BufferedImage image, List<String> reasons, int distinctColours, double contrast) {
        public boolean isPicture() {
            return reasons.isEmpty();
        }
    }

    public PictureCheck(QualitySettings settings) {
        this.settings = settings;
    }

    public Picture check(byte[] png) {
        BufferedImage img;
        try {
            img = ImageInput.decode(png);
        } catch (RuntimeException e) {
            return new Picture(null, List.of("not_decodable"), 0, 0);
        }
        PictureStats stats = PictureStats.of(img);
        List<String> reasons = new ArrayList<>();
        if (stats.distinctColours() < settings.minDistinctColours()) {
            reasons.add("too_few_colours");
        }
        if (stats.contrast() < settings.minContrast()) {
            reasons.add("no_contrast");
        }
        return new Picture(img, List.copyOf(reasons), stats.distinctColours(), Math.round(stats.contrast() * 100) / 100.0);
    }
}
