package dev.genq.moderation.quality;

import java.util.List;

/**
 * Whether a sample is a picture at all, beside the safety verdict.
 *
 * @param passed         false when any check failed
 * @param score          how far the image is from blank, 0 (one colour) to 1 (luminance spread >= 32/255)
 * @param reasons        one stable code per failed check: {@code not_decodable}, {@code too_few_colours},
 *                       {@code no_contrast}
 * @param action         what the policy does with a failed sample: {@code fail} or {@code flag}
 * @param distinctColours distinct 8-bit RGB colours
 * @param contrast       standard deviation of the luminance, 0-255
 */
public record QualityVerdict(boolean passed, double score, List<String> reasons, String action, int distinctColours,
                             double contrast) {

    /** A failed verdict under a 'fail' policy: the sample is not released and not billed. */
    public boolean fails() {
        return !passed && QualitySettings.FAIL.equals(action);
    }
}
