package dev.genq.moderation.quality;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** What counts as a picture and as following its prompt, and what happens to a sample that is not. */
@ConfigMapping(prefix = "genq.moderation.quality")
public interface QualitySettings {
    String FAIL = "fail";
    String FLAG = "flag";

    /** fail: the sample ends failed_quality, unreleased and unbilled; flag: released, the verdict recorded. */
    @WithDefault(FAIL)
    String blankAction();

    /** Fewer distinct 8-bit colours than this is a blank (a 32 px emoji preview has hundreds). */
    @WithDefault("16")
    int minDistinctColours();

    /** A luminance standard deviation (0-255) below this is no visible contrast. */
    @WithDefault("4.0")
    double minContrast();

    /**
     * The judge package (kind "judge") that scores prompt adherence and measures diversity; without one
     * no sample gets an adherence score.
     */
    Optional<Path> judge();

    /** What a score below the judge's threshold does: flag (released, recorded; the default) or fail. */
    @WithDefault(FLAG)
    String adherenceAction();
}
