package dev.genq.worker.engine;

/** Cumulative signal level alpha-bar(t) for t in [0, T), as the model was trained. */
public final class NoiseSchedule {
    private final double[] alphaBar;
    private final TimestepSpacing spacing;

    private NoiseSchedule(double[] alphaBar, TimestepSpacing spacing) {
        this.alphaBar = alphaBar;
        this.spacing = spacing;
    }

    /** The same schedule, visited with another timestep spacing. */
    public NoiseSchedule withSpacing(TimestepSpacing spacing) {
        return new NoiseSchedule(alphaBar, spacing);
    }

    /** Nichol & Dhariwal's cosine schedule: beta_t = 1 - f(t+1)/f(t), clipped at 0.999. */
    public static NoiseSchedule cosine(int timesteps) {
        double[] ab = new double[timesteps];
        double prev = 1.0;
        for (int t = 0; t < timesteps; t++) {
            double beta = Math.min(1 - cosineF(t + 1, timesteps) / cosineF(t, timesteps), 0.999);
            prev *= 1 - beta;
            ab[t] = prev;
        }
        return new NoiseSchedule(ab, TimestepSpacing.LEADING);
    }

    private static double cosineF(int t, int timesteps) {
        double s = 0.008;
        double c = Math.cos(((double) t / timesteps + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    /** DDPM's linear betas from 1e-4 to 0.02. */
    public static NoiseSchedule linear(int timesteps) {
        double[] ab = new double[timesteps];
        double prev = 1.0;
        for (int t = 0; t < timesteps; t++) {
            double beta = 1e-4 + (0.02 - 1e-4) * t / Math.max(1, timesteps - 1);
            prev *= 1 - beta;
            ab[t] = prev;
        }
        return new NoiseSchedule(ab, TimestepSpacing.LEADING);
    }

    public static NoiseSchedule of(String type, int timesteps) {
        return "linear".equals(type) ? linear(timesteps) : cosine(timesteps);
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
        return spacing.timesteps(steps, span);
    }
}
