package dev.genq.worker.engine;

/** A stage stopped because its {@link StepListener} said so; carries what it had used until then. */
public class StageCanceledException extends RuntimeException {
    private final int stepsRun;
    private final double seconds;

    public StageCanceledException(int stepsRun, double seconds) {
        super("canceled after " + stepsRun + " steps", null, false, false);
        this.stepsRun = stepsRun;
        this.seconds = seconds;
    }

    public int stepsRun() {
        return stepsRun;
    }

    public double seconds() {
        return seconds;
    }
}
