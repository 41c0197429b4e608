package dev.genq.worker.engine.sampler;

import dev.genq.worker.engine.NoiseSchedule;

/** What every genq sampler shares: the timesteps it was told, over the model's noise schedule. */
abstract class ScheduledSampler implements Sampler {
    protected final Timesteps t;

    ScheduledSampler(NoiseSchedule schedule) {
        this.t = new Timesteps(schedule);
    }

    @Override
    public int[] setTimesteps(int steps, int limit) {
        return t.set(steps, limit);
    }
}
