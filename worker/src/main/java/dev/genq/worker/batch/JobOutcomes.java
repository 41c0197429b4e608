package dev.genq.worker.batch;

/** What happens to a job once the batcher is done with it; implemented by the worker's job package. */
public interface JobOutcomes {
    /** Every sample of every stage completed: store and announce the results. */
    void finish(JobExecution job);

    /** The job stopped part-way (canceled): bill the steps its samples ran, keep nothing. */
    void settleStopped(JobExecution job);
}
