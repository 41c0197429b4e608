package dev.genq.gateway.quota;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits a {@link StageCost} to a model's recent jobs: each job's cost per step against its number of samples, a
 * straight line (least squares) whose intercept is the per-step part and slope the per-sample part. Newer jobs
 * weigh more (half as much every {@link #HALF_LIFE_JOBS} jobs back): a machine's speed drifts (a worker's first
 * minutes run slower while the JIT warms, a neighbour's load comes and goes), and the next job runs on the
 * machine as it is now. Jobs far off
 * the first line (more than {@link #OUTLIER_FACTOR}× either way: a worker's first job while it warms up, a job
 * that ran while the machine was busy with something else) are dropped and the line fitted again, once. Where
 * the history cannot separate the two parts (every job had the same samples) or a part comes out negative, the
 * cost is taken as proportional to the other alone. Plain arithmetic, no persistence: tested on its own.
 */
public final class StageCostFit {
    /** How far off the first fit a job may be and still count. */
    static final double OUTLIER_FACTOR = 1.5;
    /** A job this many jobs older than the newest counts half as much. */
    static final double HALF_LIFE_JOBS = 10;

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

    /** How much the {@code age}-th newest job counts (0: the newest). */
    static double weight(int age) {
        return Math.pow(0.5, age / HALF_LIFE_JOBS);
    }

    /** The fitted line, or null without a usable observation; {@code history} newest first. */
    public static Line fit(List<Observation> history) {
        List<Weighted> usable = new ArrayList<>();
        for (int age = 0; age < history.size(); age++) {
            Observation o = history.get(age);
            if (o.samples() > 0 && o.steps() > 0 && o.usd() >= 0) {
                usable.add(new Weighted(o, weight(age)));
            }
        }
        if (usable.isEmpty()) {
            return null;
        }
        Line first = line(usable);
        List<Weighted> kept = new ArrayList<>();
        for (Weighted w : usable) {
            double ratio = w.o().perStep() / first.at(w.o().samples());
            if (ratio <= OUTLIER_FACTOR && ratio >= 1 / OUTLIER_FACTOR) {
                kept.add(w);
            }
        }
        // refit without the outliers only where most of the history is left to fit
        return kept.size() * 2 > usable.size() && kept.size() < usable.size() ? line(kept) : first;
    }

    private record Weighted(Observation o, double w) {
    }

    /** Weighted least squares of cost per step on samples. */
    private static Line line(List<Weighted> os) {
        double sw = 0;
        double mx = 0;
        double my = 0;
        for (Weighted p : os) {
            sw += p.w();
            mx += p.w() * p.o().samples();
            my += p.w() * p.o().perStep();
        }
        mx /= sw;
        my /= sw;
        double sxx = 0;
        double sxy = 0;
        for (Weighted p : os) {
            double dx = p.o().samples() - mx;
            sxx += p.w() * dx * dx;
            sxy += p.w() * dx * (p.o().perStep() - my);
        }
        if (sxx > 1e-12) {
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
        for (Weighted p : os) {
            xy += p.w() * p.o().samples() * p.o().perStep();
            xx += p.w() * p.o().samples() * p.o().samples();
        }
        return new Line(0, xy / xx);
    }
}
