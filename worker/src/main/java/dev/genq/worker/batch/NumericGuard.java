package dev.genq.worker.batch;

import dev.genq.worker.engine.DiffusionEngine.StageResult;
import dev.genq.worker.engine.NonFiniteOutputException;
import dev.genq.worker.metrics.WorkerMeters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Between a stage and everything after it: a job any of whose samples came out with NaN or infinite
 * values is stopped and failed ({@link NonFiniteOutputException}) before a PNG is encoded, stored or
 * billed. Its batch-mates are unaffected: each sample's pixels depend only on its own rows.
 */
@ApplicationScoped
public class NumericGuard {
    private static final Logger LOG = Logger.getLogger(NumericGuard.class);

    private final WorkerMeters meters;

    public NumericGuard(WorkerMeters meters) {
        this.meters = meters;
    }

    /** @return the jobs failed here; their samples must not go on */
    Set<JobExecution> failBroken(List<SampleTask> tasks, StageResult result, String model) {
        Map<JobExecution, int[]> broken = new LinkedHashMap<>(); // job -> {samples, values}
        for (int i = 0; i < tasks.size(); i++) {
            int values = result.samples().get(i).nonFiniteValues();
            if (values > 0) {
                int[] counts = broken.computeIfAbsent(tasks.get(i).job(), j -> new int[2]);
                counts[0]++;
                counts[1] += values;
            }
        }
        broken.forEach((job, counts) -> {
            meters.nonFiniteSamples(model).increment(counts[0]);
            NonFiniteOutputException e = new NonFiniteOutputException(model, counts[0], counts[1]);
            LOG.errorf("job %s: %s", job.job().id, e.getMessage());
            job.fail(e);
        });
        return broken.keySet();
    }
}
