package dev.genq.gateway.canary;

/**
 * One metric's evidence in a window: bad jobs of each version, the test's log likelihood ratio (regression over
 * no regression) and the bound at which it calls a regression.
 */
public record MetricEvidence(String metric, long canaryBad, long canaryJobs, long stableBad, long stableJobs,
                             double logLikelihoodRatio, double bound, boolean regression) {
}
