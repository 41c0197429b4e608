package dev.genq.gateway.canary;

import java.util.List;

/**
 * What the analysis concluded about a canary, with everything it concluded from: the statistics recorded
 * with an automatic rollout change and sent to the operator.
 *
 * @param decision  roll_back, promote or wait
 * @param reason    one line a person reads in the rollout history
 * @param share     the canary's share the test assumed
 * @param rateRatio the regression the tests are built to find
 * @param falseAlarmRate the false-alarm rate of the whole analysis (each metric gets its even part)
 */
public record CanaryVerdict(Decision decision, String reason, double share, double rateRatio, double falseAlarmRate,
                            int minJobs, VersionOutcomes stable, VersionOutcomes canary, Double stableMedianMsPerStep,
                            List<MetricEvidence> metrics) {

    public enum Decision {
        ROLL_BACK, PROMOTE, WAIT;

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
