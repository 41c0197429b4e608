package dev.genq.worker.engine;

/**
 * Which timesteps of the trained schedule a run of N steps visits, named as diffusers' schedulers name
 * them ({@code timestep_spacing}; Lin et al. 2023, table 2). Every form returns N timesteps below a span
 * L (the schedule's length, or a stage's start timestep), noisiest first.
 */
public enum TimestepSpacing {
    /**
     * floor(i·L/N) for i = N-1 … 0: the first step sits a whole interval below L, so a few-step run starts
     * from pure noise at a timestep that expects some signal (4 steps of 1000: t = 750). genq's packages
     * before {@code timestep_spacing} existed used this; equal to diffusers' "leading" whenever N divides L.
     */
    LEADING("leading"),
    /**
     * i·floor(L/N) for i = N-1 … 0, plus the package's {@code steps_offset}: diffusers' "leading" exactly, what a
     * {@code scheduler_config.json}'s "leading" means (Stable Diffusion 1.x: 50 steps of 1000 from 981 down to 1).
     */
    LEADING_INTEGER_RATIO("leading_integer_ratio"),
    /** round(L - k·L/N) - 1 for k = 0 … N-1: the first step is always L - 1 (diffusers' "trailing"). */
    TRAILING("trailing"),
    /** round(i·(L-1)/(N-1)) for i = N-1 … 0: both ends visited (diffusers' "linspace"). */
    LINSPACE("linspace");

    private final String wire;

    TimestepSpacing(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @return the spacing named {@code wire} in model.json, or null if there is none by that name */
    public static TimestepSpacing ofWire(String wire) {
        for (TimestepSpacing s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        return null;
    }

    /**
     * {@code steps} timesteps in [0, span), noisiest first. numpy's arithmetic, so the vectors match diffusers'.
     * {@code stepsOffset} (scheduler_config.json's) is added where diffusers adds it, to leading timesteps only (SD
     * 1.x: 1, so 50 steps start at 981, not 980), capped at span - 1.
     */
    int[] timesteps(int steps, int span, int stepsOffset) {
        int[] ts = new int[steps];
        switch (this) {
            case LEADING -> {
                for (int i = 0; i < steps; i++) {
                    ts[steps - 1 - i] = (int) Math.floor((double) i * span / steps);
                }
            }
            case LEADING_INTEGER_RATIO -> {
                int ratio = span / steps;
                for (int i = 0; i < steps; i++) {
                    ts[steps - 1 - i] = Math.min(i * ratio + stepsOffset, span - 1);
                }
            }
            case TRAILING -> {
                double delta = -(double) span / steps; // np.arange(span, 0, -span / steps): start + k * delta
                for (int k = 0; k < steps; k++) {
                    ts[k] = (int) Math.rint(span + k * delta) - 1; // np.round: halves to even, as Math.rint
                }
            }
            case LINSPACE -> {
                // np.linspace(0, span - 1, steps): i * step, the last set to the end exactly; one step is [0]
                double step = steps == 1 ? 0 : (double) (span - 1) / (steps - 1);
                for (int i = 0; i < steps; i++) {
                    double v = i == steps - 1 && steps > 1 ? span - 1 : i * step;
                    ts[steps - 1 - i] = (int) Math.rint(v);
                }
            }
        }
        return ts;
    }
}
