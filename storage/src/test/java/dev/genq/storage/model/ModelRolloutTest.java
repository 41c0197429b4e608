package dev.genq.storage.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

class ModelRolloutTest {
    static final BiPredicate<String, String> ALL_SERVED = (name, version) -> true;

    @Test
    void theCanaryTakesItsShareOfJobsAndTheRestRunStable() {
        ModelRollout rollout = new ModelRollout(List.of("emoji-base@1", "emoji-sr@3"), List.of("emoji-base@2"), 0.05);
        int n = 200_000;
        int canary = 0;
        for (int i = 0; i < n; i++) {
            String v = rollout.versionFor("emoji-base", UUID.randomUUID(), ALL_SERVED).orElseThrow();
            canary += v.equals("2") ? 1 : 0;
            assertTrue(v.equals("1") || v.equals("2"), v);
        }
        // 5% ± 0.3% (about 6 standard deviations at n = 200,000)
        assertEquals(0.05, canary / (double) n, 0.003);
        assertEquals(Optional.of("3"), rollout.versionFor("emoji-sr", UUID.randomUUID(), ALL_SERVED), "no canary: always stable");
    }

    @Test
    void aJobIdAlwaysGetsTheSameVersion() {
        ModelRollout rollout = new ModelRollout(List.of("m@1"), List.of("m@2"), 0.5);
        for (int i = 0; i < 1000; i++) {
            UUID id = UUID.randomUUID();
            assertEquals(rollout.versionFor("m", id, ALL_SERVED), rollout.versionFor("m", id, ALL_SERVED));
        }
    }

    @Test
    void shareZeroRollsBackAndShareOneSendsEverything() {
        ModelRollout off = new ModelRollout(List.of("m@1"), List.of("m@2"), 0);
        ModelRollout all = new ModelRollout(List.of("m@1"), List.of("m@2"), 1);
        for (int i = 0; i < 10_000; i++) {
            UUID id = UUID.randomUUID();
            assertEquals(Optional.of("1"), off.versionFor("m", id, ALL_SERVED));
            assertEquals(Optional.of("2"), all.versionFor("m", id, ALL_SERVED));
        }
    }

    @Test
    void aVersionNoWorkerServesIsNeverPinned() {
        ModelRollout rollout = new ModelRollout(List.of("m@1"), List.of("m@2"), 1);
        assertEquals(Optional.of("1"), rollout.versionFor("m", UUID.randomUUID(), (name, v) -> v.equals("1")),
                "canary not registered yet: stable");
        assertEquals(Optional.empty(), rollout.versionFor("m", UUID.randomUUID(), (name, v) -> false),
                "neither registered: the worker's default");
        assertEquals(Optional.empty(), rollout.versionFor("other", UUID.randomUUID(), ALL_SERVED), "not in the rollout");
    }

    @Test
    void malformedRolloutsAreRefusedWithTheProperty() {
        assertEquals("genq.rollout.stable: 'emoji-base' is not name@version",
                assertThrows(IllegalArgumentException.class, () -> new ModelRollout(List.of("emoji-base"), List.of(), 0)).getMessage());
        assertEquals("genq.rollout.canary: 'm@' is not name@version",
                assertThrows(IllegalArgumentException.class, () -> new ModelRollout(List.of(), List.of("m@"), 0)).getMessage());
        assertEquals("genq.rollout.stable: two versions of m",
                assertThrows(IllegalArgumentException.class, () -> new ModelRollout(List.of("m@1", "m@2"), List.of(), 0)).getMessage());
        assertEquals("genq.rollout.canary-share must be between 0 and 1, not 1.5",
                assertThrows(IllegalArgumentException.class, () -> new ModelRollout(List.of(), List.of(), 1.5)).getMessage());
        assertEquals("genq.rollout: m@1 is both stable and canary",
                assertThrows(IllegalArgumentException.class, () -> new ModelRollout(List.of("m@1"), List.of("m@1"), 0.1)).getMessage());
    }

    @Test
    void eachModelHasItsOwnShare() {
        ModelRollout rollout = new ModelRollout(java.util.Map.of("a", new ModelRollout.Entry("1", "2", 1),
                "b", new ModelRollout.Entry("1", "2", 0), "c", new ModelRollout.Entry(null, "2", 1)));
        for (int i = 0; i < 1000; i++) {
            UUID id = UUID.randomUUID();
            assertEquals(Optional.of("2"), rollout.versionFor("a", id, ALL_SERVED));
            assertEquals(Optional.of("1"), rollout.versionFor("b", id, ALL_SERVED));
            assertEquals(Optional.of("2"), rollout.versionFor("c", id, ALL_SERVED), "a canary without a stable version");
        }
        assertEquals(0.0, rollout.canaryShare("unnamed"));
        assertThrows(IllegalArgumentException.class, () -> new ModelRollout.Entry("1", "2", -0.1));
    }
}
