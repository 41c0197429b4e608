package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.genq.worker.engine.NoiseSchedule;

/**
 * DDPM ancestral sampling (Ho et al. 2020) over any subset of the training timesteps: the posterior
 * q(x_prev | x_t, x0) with its "fixed small" variance, x0 clipped where the schedule says; no noise on the last step.
 */
public final class DdpmSampler extends ScheduledSampler {

    public DdpmSampler(NoiseSchedule schedule) {
        super(schedule);
    }

    @Override
    public NDArray step(NDArray epsilon, int i, NDArray x, StepNoise noise) {
        double aT = t.alphaBar(i);
        double aPrev = t.alphaBarNext(i);
        double beta = 1 - aT / aPrev;
        NDArray x0 = t.x0(x, epsilon, aT);
        NDArray mean = x0.mul((float) (Math.sqrt(aPrev) * beta / (1 - aT)))
                .add(x.mul((float) (Math.sqrt(1 - beta) * (1 - aPrev) / (1 - aT))));
        if (t.isLast(i)) {
            return mean;
        }
        double variance = beta * (1 - aPrev) / (1 - aT);
        return mean.add(noise.next(x.getManager(), i).mul((float) Math.sqrt(variance)));
    }
}
