package dev.genq.gateway.job;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/jobs/{id}/variations}: which released preview sample to vary, and how much. */
@Schema(name = "Variation")
public record VariationRequest(
        @Schema(required = true, minimum = "0") Integer sample,
        @Schema(description = "how much of the sample is denoised again: 0 keeps it, 1 is a fresh image from the seed; "
                + "give this or 'preset'", minimum = "0", maximum = "1") Double strength,
        @Schema(description = "subtle (strength 0.4) or strong (0.75); the default when neither is given is subtle",
                enumeration = {"subtle", "strong"}) String preset,
        @Schema(description = "defaults to the parent's", minimum = "1", maximum = "4") Integer numSamples,
        @Schema(description = "defaults to the parent's prompt", maxLength = 1000) String prompt,
        @Schema(description = "random when omitted, always reported back") Long seed,
        @Schema(description = "redraw only this rectangle of the sample (its pixels) and keep every other pixel exactly; "
                + "omitted: the whole sample") Area region) {

    /** A rectangle in the sample's pixels. */
    @Schema(name = "Region")
    public record Area(@Schema(required = true, minimum = "0") Integer x, @Schema(required = true, minimum = "0") Integer y,
                       @Schema(required = true, minimum = "1") Integer width, @Schema(required = true, minimum = "1") Integer height) {
    }

    static final double SUBTLE = 0.4;
    static final double STRONG = 0.75;

    /**
     * The rectangle asked for, or null for the whole sample.
     *
     * @throws dev.genq.api.problem.ProblemException 400 region_out_of_bounds if it is incomplete or does not fit
     */
    dev.genq.storage.job.Region resolvedRegion(int width, int height) {
        if (region == null) {
            return null;
        }
        dev.genq.storage.job.Region r = region.x() == null || region.y() == null || region.width() == null || region.height() == null
                ? null : new dev.genq.storage.job.Region(region.x(), region.y(), region.width(), region.height());
        if (r == null || !r.fits(Math.min(width, height))) {
            throw dev.genq.api.problem.ProblemException.badRequest("region_out_of_bounds", "'region' must be x, y, width and "
                    + "height of a rectangle inside the " + width + "x" + height + " sample, at least 1 pixel");
        }
        return r;
    }

    /** The strength asked for, by number or preset. @throws dev.genq.api.problem.ProblemException 400 */
    double resolvedStrength() {
        if (strength != null && preset != null) {
            throw dev.genq.api.problem.ProblemException.badRequest("strength_and_preset", "give 'strength' or 'preset', not both");
        }
        if (preset != null) {
            return switch (preset) {
                case "subtle" -> SUBTLE;
                case "strong" -> STRONG;
                default -> throw dev.genq.api.problem.ProblemException.badRequest("unknown_preset",
                        "'preset' must be 'subtle' or 'strong'");
            };
        }
        if (strength == null) {
            return SUBTLE;
        }
        if (!(strength >= 0 && strength <= 1)) {
            throw dev.genq.api.problem.ProblemException.badRequest("strength_out_of_range", "'strength' must be between 0 and 1");
        }
        return strength;
    }
}
