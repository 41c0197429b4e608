package dev.genq.gateway.job;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Which requests the exact result cache looks up at submit: only those that name their seed and did not opt out (a
 * seed drawn at random was never used before, so a lookup for it is a query per submit that cannot hit).
 */
@QuarkusTest
class CacheLookupTest {
    final JobRequestValidator validator;

    CacheLookupTest(JobRequestValidator validator) {
        this.validator = validator;
    }

    private static SubmitJobRequest request(Long seed, Boolean cache) {
        return new SubmitJobRequest("a red apple", null, null, 1, seed, 2, null, null, null, null, null, null,
                null, null, null, null, null, cache, null, null, null);
    }

    @Test
    void onlyARequestThatNamesItsSeedIsLookedUp() {
        assertTrue(validator.validate(request(42L, null)).lookUpCache(), "seed given, cache not refused");
        assertTrue(validator.validate(request(42L, true)).lookUpCache(), "seed given, cache asked for");
        assertFalse(validator.validate(request(null, null)).lookUpCache(), "random seed: nothing to find");
        assertFalse(validator.validate(request(null, true)).lookUpCache(), "random seed even when cache is asked for");
        assertFalse(validator.validate(request(42L, false)).lookUpCache(), "\"cache\": false opts out");
    }
}
