package dev.genq.worker.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.genq.worker.engine.NoiseSchedule;

/**
 * DPM-Solver++(2M) (Lu et al. 2022): second-order multistep solver in data (x0) prediction, in
 * log-SNR time lambda = log(alpha / sigma). First order on the first step (no history yet); the final
 * step lands on sigma = 0, where the solution is the data prediction itself. The data prediction is
 * clipped where the schedule says (pixel space: [-1, 1]; latents: not at all). Deterministic.
 */
public final class DpmSolverPlusPlus2mSampler extends ScheduledSampler {
    private float[] previousX0; // kept in Java: the step's NDArrays are freed when the step ends
    private double previousH;
    private int rowSize;

    public DpmSolverPlusPlus2mSampler(NoiseSchedule schedule) {
        super(schedule);
    }

    @Override
    public int[] setTimesteps(int steps, int limit) {
        previousX0 = null; // a new run remembers nothing of the last
        return super.setTimesteps(steps, limit);
    }

    @Override
    public void retainRows(int[] rows) {
        if (previousX0 != null) {
            float[] kept = new float[rows.length * rowSize];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(previousX0, rows[i] * rowSize, kept, i * rowSize, rowSize);
            }
            previousX0 = kept;
        }
    }

    /** Its step uses the previous step's output: taking a step twice would mix two histories. */
    @Override
    public boolean restartable() {
        return false;
    }

    @Override
    public NDArray step(NDArray epsilon, int i, NDArray x, StepNoise noise) {
        double aS = t.alphaBar(i);
        double alphaS = Math.sqrt(aS);
        double sigmaS = Math.sqrt(1 - aS);
        // clipped to the data range in pixel space, as DDIM and DDPM here (diffusers' thresholding at sample_max_value
        // 1): at t = 999 of a cosine schedule sqrt(alpha-bar) is ~5e-5, and an unclipped x0 is noise times 2e4
        NDArray x0 = t.x0(x, epsilon, aS);
        if (t.isLast(i)) {
            return x0;
        }
        double aT = t.alphaBarNext(i);
        double alphaT = Math.sqrt(aT);
        double sigmaT = Math.sqrt(1 - aT);
        double h = Math.log(alphaT / sigmaT) - Math.log(alphaS / sigmaS);
        NDArray d = x0;
        if (previousX0 != null) {
            double r = previousH / h;
            NDArray prev = x.getManager().create(previousX0, x0.getShape());
            d = x0.add(x0.sub(prev).mul((float) (1 / (2 * r))));
        }
        NDArray next = x.mul((float) (sigmaT / sigmaS)).sub(d.mul((float) (alphaT * Math.expm1(-h))));
        previousX0 = x0.toFloatArray();
        rowSize = previousX0.length / (int) x0.getShape().get(0);
        previousH = h;
        return next;
    }
}
