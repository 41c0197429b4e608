package dev.genq.worker.engine;

/**
 * A stage produced NaN or infinite pixels: a broken package or a broken native kernel, never a
 * picture. The job fails with {@code engine_numeric_error} and is not billed; retrying the same model,
 * seed and parameters would give the same result, so it is not retried.
 */
public final class NonFiniteOutputException extends RuntimeException {
    public static final String CODE = "engine_numeric_error";

    public NonFiniteOutputException(String model, int samples, int values) {
        super(model + " produced non-finite values in " + samples + " sample(s) (" + values + " values); no image was made");
    }
}
