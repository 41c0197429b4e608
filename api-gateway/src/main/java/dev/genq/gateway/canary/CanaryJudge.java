package dev.genq.gateway.canary;

import dev.genq.gateway.canary.CanaryVerdict.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Decides a canary's fate from a window's outcomes. Four metrics, each a {@link BadJobSprt} at an even part
 * of the false-alarm rate (so the whole analysis keeps it): failed jobs, jobs moderation held back, jobs with a
 * sample that failed its quality verdict (blank, no contrast, low prompt adherence), and slow jobs. Any regression
 * rolls the canary back at once. It is promoted once both versions have {@code min-jobs} settled jobs in the window
 * and no metric is half-way to a regression (log likelihood ratio below half its bound: the evidence for a
 * {@code rate-ratio} regression is weaker than the square root of what a rollback takes). Half-way, not "leaning at
 * all", because a few slow jobs of a canary that is still cold (its first runs on each worker) would otherwise hold
 * an equal canary back until stable happened to be as slow as often. That promotion rule is a decision, not a test
 * with a guaranteed miss rate: a regression smaller than {@code rate-ratio} can pass it.
 */
public final class CanaryJudge {
    private record Metric(String name, ToLongFunction<VersionOutcomes> bad, ToLongFunction<VersionOutcomes> units) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("failure", VersionOutcomes::failed, VersionOutcomes::jobs),
            new Metric("safety_flag", VersionOutcomes::flagged, VersionOutcomes::jobs),
            new Metric("quality", VersionOutcomes::poorQuality, VersionOutcomes::jobs),
            new Metric("latency", VersionOutcomes::slow, VersionOutcomes::timed));

    private final CanaryAnalysisSettings settings;

    public CanaryJudge(CanaryAnalysisSettings settings) {
        this.settings = settings;
    }

    public CanaryVerdict judge(double share, CanaryWindow.Outcomes outcomes) {
        if (share >= 1) { // nothing left to compare with: stable gets no jobs
            return verdict(Decision.WAIT, "a canary with the whole share has no stable jobs to be compared with", share, outcomes,
                    List.of());
        }
        BadJobSprt test = new BadJobSprt(share, settings.rateRatio(), settings.falseAlarmRate() / METRICS.size());
        List<MetricEvidence> evidence = new ArrayList<>();
        for (Metric m : METRICS) {
            long canaryBad = m.bad().applyAsLong(outcomes.canary());
            long total = canaryBad + m.bad().applyAsLong(outcomes.stable());
            double llr = test.logLikelihoodRatio(canaryBad, total);
            evidence.add(new MetricEvidence(m.name(), canaryBad, m.units().applyAsLong(outcomes.canary()),
                    m.bad().applyAsLong(outcomes.stable()), m.units().applyAsLong(outcomes.stable()), llr, test.bound(),
                    llr >= test.bound()));
        }
        List<MetricEvidence> regressions = evidence.stream().filter(MetricEvidence::regression).toList();
        if (!regressions.isEmpty()) {
            return verdict(Decision.ROLL_BACK, "regression in " + regressions.stream().map(e -> String.format(Locale.ROOT,
                    "%s (canary %d of %d jobs, stable %d of %d)", e.metric(), e.canaryBad(), e.canaryJobs(), e.stableBad(),
                    e.stableJobs())).collect(Collectors.joining(", ")), share, outcomes, evidence);
        }
        long fewer = Math.min(outcomes.canary().jobs(), outcomes.stable().jobs());
        if (fewer < settings.minJobs()) {
            return verdict(Decision.WAIT, fewer + " of " + settings.minJobs() + " settled jobs per version so far", share,
                    outcomes, evidence);
        }
        List<MetricEvidence> leaning = evidence.stream().filter(e -> e.logLikelihoodRatio() >= e.bound() / 2).toList();
        if (!leaning.isEmpty()) {
            return verdict(Decision.WAIT, "not enough evidence yet on " + leaning.stream().map(MetricEvidence::metric)
                    .collect(Collectors.joining(", ")), share, outcomes, evidence);
        }
        return verdict(Decision.PROMOTE, String.format(Locale.ROOT, "no regression in %d canary and %d stable jobs",
                outcomes.canary().jobs(), outcomes.stable().jobs()), share, outcomes, evidence);
    }

    private CanaryVerdict verdict(Decision decision, String reason, double share, CanaryWindow.Outcomes outcomes,
                                  List<MetricEvidence> evidence) {
        return new CanaryVerdict(decision, reason, share, settings.rateRatio(), settings.falseAlarmRate(), settings.minJobs(),
                outcomes.stable(), outcomes.canary(), outcomes.stableMedianMsPerStep(), evidence);
    }
}
