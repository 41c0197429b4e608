package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.genq.worker.engine.NoiseSchedule;

/** What every sampler needs to know about step i: the signal level now and after the step. */
final class Timesteps {
    final NoiseSchedule schedule;
    int[] ts;

    Timesteps(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    int[] set(int steps, int limit) {
        ts = schedule.spacedTimesteps(steps, limit);
        return ts;
    }

    double alphaBar(int i) {
        return schedule.alphaBar(ts[i]);
    }

    /** alpha-bar after step i; the last step lands on clean data (alpha-bar 1). */
    double alphaBarNext(int i) {
        return i + 1 < ts.length ? schedule.alphaBar(ts[i + 1]) : 1.0;
    }

    boolean isLast(int i) {
        return i + 1 == ts.length;
    }

    /**
     * The clean-image prediction at signal level {@code alphaBar}, clipped where the schedule says (diffusers'
     * clip_sample): pixel space keeps few-step sampling in range; latents are never clipped.
     */
    NDArray x0(NDArray x, NDArray epsilon, double alphaBar) {
        NDArray x0 = predictX0(x, epsilon, alphaBar);
        double range = schedule.clipSampleRange();
        return Double.isInfinite(range) ? x0 : x0.clip(-range, range);
    }

    /** The clean-image prediction x0 = (x - sqrt(1 - a) eps) / sqrt(a) at signal level {@code alphaBar}. */
    static NDArray predictX0(NDArray x, NDArray epsilon, double alphaBar) {
        return x.sub(epsilon.mul((float) Math.sqrt(1 - alphaBar))).div((float) Math.sqrt(alphaBar));
    }
}
