package dev.genq.storage.job;

/**
 * The denoising steps a variation runs: its strength's share of the job's steps, at least one unless the
 * strength is 0. The gateway estimates and the worker runs by this one rule, so a variation at strength 0.3
 * is billed for about 30% of a full run.
 */
public final class VariationSteps {
    private VariationSteps() {
    }

    public static int run(double strength, int steps) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
        }
        return strength == 0 ? 0 : Math.max(1, (int) Math.round(strength * steps));
    }

    /**
     * The default resampling jumps per step of a masked run (inpainting, vary region, outpainting; the worker's
     * genq.worker.inpaint-resamples): such a run makes 1 + this many model passes per step.
     */
    public static final int DEFAULT_INPAINT_RESAMPLES = 2;

    /** The model passes a masked run of {@code steps} steps makes at the default resampling, for estimates. */
    public static int maskedPasses(int steps) {
        return steps * (1 + DEFAULT_INPAINT_RESAMPLES);
    }
}
