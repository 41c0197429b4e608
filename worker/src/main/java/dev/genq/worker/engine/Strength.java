package dev.genq.worker.engine;

/**
 * How much of a source image a variation denoises again (SDEdit), as a share of the schedule: strength s
 * runs round(s · steps) of the job's steps, spaced below timestep round(s · T), from the source noised to the
 * first of them. 0 runs nothing (the source is the result); 1 is text-to-image from the seed's own noise.
 */
public record Strength(double value) {
    public Strength {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("strength must be in [0, 1], got " + value);
        }
    }

    /** The steps a job of {@code steps} runs at this strength: at least 1 unless the strength is 0. */
    public int steps(int steps) {
        return dev.genq.storage.job.VariationSteps.run(value, steps);
    }

    /** The timesteps visited are below this one; {@code Integer.MAX_VALUE} (the whole schedule) at strength 1. */
    int limit(int timesteps) {
        return value >= 1 ? Integer.MAX_VALUE : Math.max(1, (int) Math.round(value * timesteps));
    }

    /** Whether the run starts from the source image (noised) rather than from the seed's pure noise. */
    boolean fromSource() {
        return value < 1;
    }
}
