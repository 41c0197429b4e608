package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.genq.worker.engine.NoiseSchedule;

/**
 * DDIM (Song et al. 2021) with eta: eta 0 is deterministic given the initial noise, eta 1 matches DDPM's
 * variance. x0 is clipped where the schedule says (pixel space: [-1, 1]) and epsilon re-derived from it
 * (diffusers' clip_sample with use_clipped_model_output), which keeps few-step sampling in range.
 */
public final class DdimSampler extends ScheduledSampler {
    private final double eta;

    public DdimSampler(NoiseSchedule schedule, double eta) {
        super(schedule);
        if (eta < 0 || eta > 1) {
            throw new IllegalArgumentException("eta must be between 0 and 1");
        }
        this.eta = eta;
    }

    @Override
    public NDArray step(NDArray epsilon, int i, NDArray x, StepNoise noise) {
        double aT = t.alphaBar(i);
        double aPrev = t.alphaBarNext(i);
        NDArray x0 = t.x0(x, epsilon, aT);
        NDArray eps = x.sub(x0.mul((float) Math.sqrt(aT))).div((float) Math.sqrt(1 - aT));
        double std = eta * Math.sqrt((1 - aPrev) / (1 - aT) * (1 - aT / aPrev));
        NDArray next = x0.mul((float) Math.sqrt(aPrev)).add(eps.mul((float) Math.sqrt(Math.max(1 - aPrev - std * std, 0))));
        if (eta > 0 && !t.isLast(i)) {
            next = next.add(noise.next(x.getManager(), i).mul((float) std));
        }
        return next;
    }
}
