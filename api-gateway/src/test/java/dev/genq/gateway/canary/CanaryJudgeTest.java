package dev.genq.gateway.canary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.canary.CanaryVerdict.Decision;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision rule over the four metrics: any regression rolls back; promotion needs min-jobs and nothing leaning. */
class CanaryJudgeTest {
    static CanaryAnalysisSettings settings(int minJobs) {
        return settings(minJobs, null);
    }

    /** The defaults, but for min-jobs, a one-second interval and where decisions are sent (null: nowhere). */
    static CanaryAnalysisSettings settings(int minJobs, String webhookUrl) {
        return new CanaryAnalysisSettings() {
            public boolean enabled() {
                return true;
            }

            public Duration interval() {
                return Duration.ofSeconds(1);
            }

            public int minJobs() {
                return minJobs;
            }

            public double falseAlarmRate() {
                return 0.01;
            }

            public double rateRatio() {
                return 3;
            }

            public double slowFactor() {
                return 2;
            }

            public Optional<String> webhookUrl() {
                return Optional.ofNullable(webhookUrl);
            }
        };
    }

    static VersionOutcomes clean(long jobs) {
        return new VersionOutcomes(jobs, 0, 0, 0, 0, jobs, 0.3, 12.0);
    }

    final CanaryJudge judge = new CanaryJudge(settings(20));

    @Test
    void aRegressionInAnyMetricRollsBackAtOnceWhateverTheJobCount() {
        VersionOutcomes flagged = new VersionOutcomes(15, 0, 15, 0, 0, 15, 0.3, 12.0);
        CanaryVerdict v = judge.judge(0.5, new CanaryWindow.Outcomes(clean(15), flagged, 12.0));
        assertEquals(Decision.ROLL_BACK, v.decision(), v.reason());
        assertTrue(v.reason().startsWith("regression in safety_flag (canary 15 of 15 jobs, stable 0 of 15)"), v.reason());
        assertEquals(4, v.metrics().size());

        VersionOutcomes slow = new VersionOutcomes(30, 0, 0, 0, 30, 30, 0.3, 40.0);
        assertEquals(Decision.ROLL_BACK, judge.judge(0.5, new CanaryWindow.Outcomes(clean(30), slow, 12.0)).decision());
        VersionOutcomes blank = new VersionOutcomes(14, 0, 0, 14, 0, 14, null, 12.0);
        assertEquals(Decision.WAIT, judge.judge(0.5, new CanaryWindow.Outcomes(clean(14), blank, 12.0)).decision(),
                "14 bad jobs are one short of the bound at share 0.5");
    }

    @Test
    void anEqualCanaryIsPromotedOnlyOnceBothVersionsHaveMinJobs() {
        CanaryVerdict early = judge.judge(0.5, new CanaryWindow.Outcomes(clean(30), clean(19), 12.0));
        assertEquals(Decision.WAIT, early.decision());
        assertEquals("19 of 20 settled jobs per version so far", early.reason());
        CanaryVerdict ready = judge.judge(0.5, new CanaryWindow.Outcomes(clean(30), clean(20), 12.0));
        assertEquals(Decision.PROMOTE, ready.decision(), ready.reason());
        assertEquals("no regression in 20 canary and 30 stable jobs", ready.reason());
    }

    @Test
    void aMetricHalfWayToARegressionHoldsPromotionBack() {
        VersionOutcomes oneFailure = new VersionOutcomes(25, 1, 0, 0, 0, 25, 0.3, 12.0);
        assertEquals(Decision.PROMOTE, judge.judge(0.5, new CanaryWindow.Outcomes(clean(25), oneFailure, 12.0)).decision(),
                "one failure (a likelihood ratio of 1.5) is no reason to wait");
        VersionOutcomes eightFailures = new VersionOutcomes(25, 8, 0, 0, 0, 25, 0.3, 12.0);
        CanaryVerdict v = judge.judge(0.5, new CanaryWindow.Outcomes(clean(25), eightFailures, 12.0));
        assertEquals(Decision.WAIT, v.decision(), "8 x (ln 3 - ln 2) = 3.24, past half of ln 400");
        assertEquals("not enough evidence yet on failure", v.reason());
        VersionOutcomes stableFailures = new VersionOutcomes(25, 6, 0, 0, 0, 25, 0.3, 12.0);
        assertEquals(Decision.PROMOTE, judge.judge(0.5, new CanaryWindow.Outcomes(stableFailures, eightFailures, 12.0)).decision(),
                "8 canary failures against 6 of stable's are no regression");
    }

    @Test
    void aCanaryWithTheWholeShareHasNothingToBeComparedWith() {
        assertEquals(Decision.WAIT, judge.judge(1.0, new CanaryWindow.Outcomes(VersionOutcomes.NONE, clean(50), null)).decision());
    }
}
