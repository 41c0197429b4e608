package dev.genq.moderation.quality;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Moderation's quality verdict on a sample, beside the safety verdict: is it a picture, and does it show
 * its prompt (README: What genq checks in every image).
 *
 * @param passed          false when any check failed
 * @param action          null when passed; else what the policy does: {@code fail} when any failed check's
 *                        action is fail, else {@code flag}
 * @param reasons         one stable code per failed check: {@code not_decodable}, {@code too_few_colours},
 *                        {@code no_contrast}, {@code low_adherence}
 * @param score           prompt adherence: the judge's similarity of image and prompt (null without a judge,
 *                        or when the sample is not a picture)
 * @param threshold       the judge's pass mark for {@code score}
 * @param judge           the judge's name@version
 * @param distinctColours distinct 8-bit RGB colours
 * @param contrast        standard deviation of the luminance, 0-255
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QualityVerdict(boolean passed, String action, List<String> reasons, Double score, Double threshold,
                             String judge, int distinctColours, double contrast) {

    /** A failed verdict under a 'fail' policy: the sample is not released and not billed. */
    public boolean fails() {
        return QualitySettings.FAIL.equals(action);
    }
}
