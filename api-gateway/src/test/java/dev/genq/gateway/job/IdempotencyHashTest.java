package dev.genq.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.storage.job.Sha256;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A submit's request hash does not change when the API gains an optional field the request does not use: a
 * client that sent a request before the upgrade and retries it with the same Idempotency-Key after is
 * replayed, not refused as idempotency_key_reused.
 */
@QuarkusTest
class IdempotencyHashTest {
    final IdempotencyKeys keys;
    final ObjectMapper json;

    IdempotencyHashTest(IdempotencyKeys keys, ObjectMapper json) {
        this.keys = keys;
        this.json = json;
    }

    /** SubmitJobRequest as it was before preview_every (V16): its hash is what earlier rows hold. */
    record BeforePreviews(String prompt, String negativePrompt, String mode, Integer numSamples, Long seed, Integer steps,
                          Double guidanceScale, String sampler, String model, String webhook, List<String> webhookEventsFilter) {
    }

    @Test
    void aRequestWithoutTheNewFieldHashesAsItDidBeforeIt() throws Exception {
        SubmitJobRequest now = new SubmitJobRequest("a cat", null, "preview", 2, 7L, 8, 3.0, "ddim", null, null, List.of("job.succeeded"), null);
        String before = Sha256.hex(json.writeValueAsBytes(new BeforePreviews("a cat", null, "preview", 2, 7L, 8, 3.0, "ddim",
                null, null, List.of("job.succeeded"))));
        assertEquals(before, keys.hash(now));
        SubmitJobRequest withPreviews = new SubmitJobRequest("a cat", null, "preview", 2, 7L, 8, 3.0, "ddim", null, null,
                List.of("job.succeeded"), 2);
        assertNotEquals(before, keys.hash(withPreviews), "a request that uses the field is another request");
        SubmitJobRequest withImage = new SubmitJobRequest("a cat", null, "preview", 2, 7L, 8, 3.0, "ddim", null, null,
                List.of("job.succeeded"), null, java.util.UUID.randomUUID().toString(), null, null, null, null, null, null, null, null);
        assertNotEquals(before, keys.hash(withImage), "an image input makes another request");
    }
}
