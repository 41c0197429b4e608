package dev.genq.worker.engine;

/**
 * How a noise schedule's betas are laid out over the training timesteps, named and computed as diffusers'
 * {@code beta_schedule} (its {@code DDPMScheduler.__init__}), so a package's {@code scheduler_config.json} maps
 * field for field. Vectors checked against a PyTorch transcription in {@code SchedulerReferenceTest}.
 */
public enum BetaSchedule {
    /** {@code torch.linspace(beta_start, beta_end, T)}: DDPM's, 1e-4 to 0.02 by default. */
    LINEAR("linear"),
    /** {@code torch.linspace(sqrt(beta_start), sqrt(beta_end), T) ** 2}: Stable Diffusion's (0.00085 to 0.012). */
    SCALED_LINEAR("scaled_linear"),
    /** Nichol and Dhariwal's cosine: {@code 1 - f(t+1)/f(t)}, capped at 0.999 ({@code betas_for_alpha_bar}). */
    SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

    private final String wire;

    BetaSchedule(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @return the schedule named {@code wire}, or null if there is none by that name */
    public static BetaSchedule ofWire(String wire) {
        for (BetaSchedule b : values()) {
            if (b.wire.equals(wire)) {
                return b;
            }
        }
        return null;
    }

    /** The {@code timesteps} betas; {@code start} and {@code end} are ignored by the cosine schedule. */
    double[] betas(double start, double end, int timesteps) {
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            betas[t] = switch (this) {
                // this arithmetic, in this order, is what v1 packages were always sampled with: kept bit for bit
                case LINEAR -> start + (end - start) * t / Math.max(1, timesteps - 1);
                case SCALED_LINEAR -> {
                    double s = Math.sqrt(start) + (Math.sqrt(end) - Math.sqrt(start)) * t / Math.max(1, timesteps - 1);
                    yield s * s;
                }
                case SQUAREDCOS_CAP_V2 -> Math.min(1 - cosine(t + 1, timesteps) / cosine(t, timesteps), 0.999);
            };
        }
        return betas;
    }

    private static double cosine(int t, int timesteps) {
        double s = 0.008;
        double c = Math.cos(((double) t / timesteps + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }
}
