package dev.genq.gateway.quota;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits a {@link StageCost} to a model's recent jobs: each job's cost per step against its number of samples, a
 * straight line (least squares) whose intercept is the per-step part and slope the per-sample part. Jobs far off
 * the first line (more than {@link #OUTLIER_FACTOR}× either way: a worker's first job while it warms up, a job
 * that ran while the machine was busy with something else) are dropped and the line fitted again, once. Where
 * the history cannot separate the two parts (every job had the same samples) or a part comes out negative, the
 * cost is taken as proportional to the other alone. Plain arithmetic, no persistence: tested on its own.
 */
public final class StageCostFit {
    /** How far off the first fit a job may be and still count. */
    static final double OUTLIER_FACTOR = 1.5;

    /** One job's use of a stage: its samples, the steps each ran, and what they cost together (USD). */
    public record Observation(int samples, int steps, double usd) {
        double perStep() {
            return usd / steps;
        }
    }

    /** USD per step and per sample-step. */
    public record Line(double perStep, double perSampleStep) {
        double at(int samples) {
            return perStep + perSampleStep * samples;
        }
    }

    private StageCostFit() {
    }

    /** The fitted line, or null without a usable observation. */
    public static Line fit(List<Observation> history) {
        List<Observation> usable = history.stream().filter(o -> o.samples() > 0 && o.steps() > 0 && o.usd() >= 0).toList();
        if (usable.isEmpty()) {
            return null;
        }
        Line first = line(usable);
        List<Observation> kept = new ArrayList<>();
        for (Observation o : usable) {
            double ratio = o.perStep() / first.at(o.samples());
            if (ratio <= OUTLIER_FACTOR && ratio >= 1 / OUTLIER_FACTOR) {
                kept.add(o);
            }
        }
        // refit without the outliers only where most of the history is left to fit
        return kept.size() * 2 > usable.size() && kept.size() < usable.size() ? line(kept) : first;
    }

    private static Line line(List<Observation> os) {
        int n = os.size();
        double mx = 0;
        double my = 0;
        for (Observation o : os) {
            mx += o.samples();
            my += o.perStep();
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        for (Observation o : os) {
            sxx += (o.samples() - mx) * (o.samples() - mx);
            sxy += (o.samples() - mx) * (o.perStep() - my);
        }
        if (sxx > 0) {
            double slope = sxy / sxx;
            double intercept = my - slope * mx;
            if (slope >= 0 && intercept >= 0) {
                return new Line(intercept, slope);
            }
            if (slope < 0) { // more samples never cost less per step: the history says only "per step"
                return new Line(my, 0);
            }
        }
        // one sample count, or a negative per-step part: cost per step proportional to the samples
        double xy = 0;
        double xx = 0;
        for (Observation o : os) {
            xy += o.samples() * o.perStep();
            xx += (double) o.samples() * o.samples();
        }
        return new Line(0, xy / xx);
    }
}
