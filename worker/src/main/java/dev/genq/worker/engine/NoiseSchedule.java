package dev.genq.worker.engine;

/**
 * Cumulative signal level alpha-bar(t) for t in [0, T), as the model was trained, and how a run of N steps visits
 * it ({@link TimestepSpacing}, plus diffusers' {@code steps_offset} for leading spacing).
 */
public final class NoiseSchedule {
    /** Where zero terminal SNR leaves alpha-bar at 0, the samplers' x0 = .../sqrt(a) needs a floor (diffusers' Euler uses it). */
    static final double ZERO_SNR_FLOOR = Math.pow(2, -24);

    private final double[] alphaBar;
    private final TimestepSpacing spacing;
    private final int stepsOffset;
    private final double clipSampleRange;

    private NoiseSchedule(double[] alphaBar, TimestepSpacing spacing, int stepsOffset, double clipSampleRange) {
        this.alphaBar = alphaBar;
        this.spacing = spacing;
        this.stepsOffset = stepsOffset;
        this.clipSampleRange = clipSampleRange;
    }

    /** The same schedule, visited with another timestep spacing. */
    public NoiseSchedule withSpacing(TimestepSpacing spacing) {
        return new NoiseSchedule(alphaBar, spacing, stepsOffset, clipSampleRange);
    }

    /**
     * Where the samplers clip their x0 prediction, [-range, range] (diffusers' {@code clip_sample_range}); infinite
     * where they must not ({@code clip_sample: false}: latents, whose range is not the picture's).
     */
    public double clipSampleRange() {
        return clipSampleRange;
    }

    /**
     * From betas, as diffusers' schedulers build {@code alphas_cumprod}; with {@code rescaleZeroSnr}, first rescaled
     * so the last timestep carries no signal at all (Lin et al. 2023, {@code rescale_zero_terminal_snr}).
     */
    static NoiseSchedule of(double[] betas, boolean rescaleZeroSnr, TimestepSpacing spacing, int stepsOffset,
                            double clipSampleRange) {
        double[] ab = new double[betas.length];
        double prev = 1.0;
        for (int t = 0; t < betas.length; t++) {
            prev *= 1 - betas[t];
            ab[t] = prev;
        }
        if (rescaleZeroSnr) {
            // sqrt(alpha-bar) shifted so its last value is 0 and scaled so its first is unchanged
            double first = Math.sqrt(ab[0]);
            double last = Math.sqrt(ab[ab.length - 1]);
            for (int t = 0; t < ab.length; t++) {
                double s = (Math.sqrt(ab[t]) - last) * first / (first - last);
                ab[t] = Math.max(s * s, ZERO_SNR_FLOOR);
            }
        }
        return new NoiseSchedule(ab, spacing, stepsOffset, clipSampleRange);
    }

    public double alphaBar(int t) {
        return alphaBar[t];
    }

    public int timesteps() {
        return alphaBar.length;
    }

    /** {@code steps} timesteps over the whole schedule, noisiest first. */
    public int[] spacedTimesteps(int steps) {
        return spacedTimesteps(steps, alphaBar.length);
    }

    /**
     * {@code steps} timesteps below {@code limit} (capped at the schedule's length), noisiest first, spaced
     * by the package's {@link TimestepSpacing}. A limit below the length is for stages that start from a
     * partly noised image instead of pure noise.
     */
    public int[] spacedTimesteps(int steps, int limit) {
        int span = Math.min(limit, alphaBar.length);
        if (steps < 1 || steps > span) {
            throw new IllegalArgumentException("steps must be between 1 and " + span + ", got " + steps);
        }
        return spacing.timesteps(steps, span, stepsOffset);
    }
}
