package dev.genq.worker.engine.sampler;

import dev.genq.worker.engine.NoiseSchedule;
import java.util.List;

/** The samplers the engine implements, by their API names. */
public final class Samplers {
    public static final String DDIM = "ddim";
    public static final String DDPM = "ddpm";
    public static final String DPMPP_2M = "dpmpp_2m";
    public static final List<String> NAMES = List.of(DDIM, DDPM, DPMPP_2M);

    private Samplers() {
    }

    /** A fresh sampler for one run; {@code eta} is used by DDIM only. */
    public static Sampler create(String name, NoiseSchedule schedule, double eta) {
        return switch (name) {
            case DDIM -> new DdimSampler(schedule, eta);
            case DDPM -> new DdpmSampler(schedule);
            case DPMPP_2M -> new DpmSolverPlusPlus2mSampler(schedule);
            default -> throw new IllegalArgumentException("unknown sampler '" + name + "'; known: " + NAMES);
        };
    }
}
