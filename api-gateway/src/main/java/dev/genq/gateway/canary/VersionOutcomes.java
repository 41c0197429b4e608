package dev.genq.gateway.canary;

/**
 * What one version's settled jobs in a window came to. A job counts once per metric however many of its samples
 * went wrong: assignment to a version is per job, so jobs are the units the test may treat as independent.
 *
 * @param jobs          settled jobs (succeeded, needs review, rejected or failed)
 * @param failed        jobs that failed
 * @param flagged       jobs with a sample moderation held back (quarantined or rejected)
 * @param poorQuality   jobs with a sample whose quality verdict did not pass (not a picture, low adherence)
 * @param slow          timed jobs slower per step than the window's slow mark
 * @param timed         jobs with a billed base stage (the ones latency is known for)
 * @param adherence     mean prompt-adherence score of the judged samples; null when none was judged
 * @param msPerStep     mean milliseconds per base step; null when no job was timed
 */
public record VersionOutcomes(long jobs, long failed, long flagged, long poorQuality, long slow, long timed,
                              Double adherence, Double msPerStep) {
    public static final VersionOutcomes NONE = new VersionOutcomes(0, 0, 0, 0, 0, 0, null, null);
}
