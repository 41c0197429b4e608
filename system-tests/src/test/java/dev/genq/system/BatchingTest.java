package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Jobs from different clients share forward passes, and sharing never changes a pixel. */
class BatchingTest {
    final Platform platform = Platform.get();

    @Test
    void concurrentJobsShareBatchesAndAJobsPngsAreTheSameAloneOrBatched() {
        // the same request twice, computed both times (not answered by the result cache): alone, then batched
        String body = "{\"prompt\":\"a purple flower\",\"num_samples\":2,\"seed\":777,\"steps\":6,\"guidance_scale\":2.5,\"cache\":false}";
        String alone = platform.submit(body);
        platform.awaitStatus(alone, "succeeded", Duration.ofSeconds(90));
        double maxBatchBefore = maxBaseBatch();

        List<String> together = new ArrayList<>();
        together.add(platform.submit(body));
        together.add(platform.submit("{\"prompt\":\"a black cat\",\"num_samples\":3,\"seed\":1,\"steps\":6,\"guidance_scale\":1.0}"));
        together.add(platform.submit("{\"prompt\":\"an orange fox\",\"num_samples\":2,\"seed\":2,\"steps\":6,\"negative_prompt\":\"green\"}"));
        for (String id : together) {
            platform.awaitStatus(id, "succeeded", Duration.ofSeconds(90));
        }
        double maxBatch = maxBaseBatch();
        assertTrue(maxBatch > 3, "jobs were batched together: largest base batch " + maxBatch + " (before: " + maxBatchBefore + ")");
        for (int idx = 0; idx < 2; idx++) {
            assertEquals(sha(alone, idx), sha(together.get(0), idx), "sample " + idx + " alone and batched");
        }
    }

    private String sha(String jobId, int idx) {
        return platform.text("select sha256 from samples where job_id = ? and idx = ?", UUID.fromString(jobId), idx);
    }

    private double maxBaseBatch() {
        Matcher m = Pattern.compile("genq_batch_samples_max\\{[^}]*stage=\"base\"[^}]*} ([0-9.]+)").matcher(platform.workerMetrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
