package dev.genq.worker.engine;

import ai.djl.ndarray.NDArray;

/**
 * What a denoiser's output means, named as diffusers' {@code prediction_type}; the samplers step on the noise
 * (epsilon), so every other kind is converted at the signal level {@code a} (alpha-bar) of its timestep.
 */
public enum Prediction {
    /** The noise added: used as is. */
    EPSILON("epsilon"),
    /** v = sqrt(a) eps - sqrt(1 - a) x0 (Salimans and Ho): eps = sqrt(a) v + sqrt(1 - a) x_t. */
    V_PREDICTION("v_prediction"),
    /** The clean image x0: eps = (x_t - sqrt(a) x0) / sqrt(1 - a). */
    SAMPLE("sample");

    private final String wire;

    Prediction(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @return the kind named {@code wire} (v1 packages' {@code "v"} too), or null if there is none by that name */
    public static Prediction ofWire(String wire) {
        if ("v".equals(wire)) {
            return V_PREDICTION;
        }
        for (Prediction p : values()) {
            if (p.wire.equals(wire)) {
                return p;
            }
        }
        return null;
    }

    /** The noise {@code out} implies for {@code xt} at signal level {@code alphaBar}. */
    public NDArray toEpsilon(NDArray out, NDArray xt, double alphaBar) {
        return switch (this) {
            case EPSILON -> out;
            case V_PREDICTION -> out.mul((float) Math.sqrt(alphaBar)).add(xt.mul((float) Math.sqrt(1 - alphaBar)));
            case SAMPLE -> xt.sub(out.mul((float) Math.sqrt(alphaBar))).div((float) Math.sqrt(1 - alphaBar));
        };
    }

}
