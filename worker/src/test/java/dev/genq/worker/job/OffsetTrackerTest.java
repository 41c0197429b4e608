package dev.genq.worker.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Jobs finish out of order; a commit may only cover the finished prefix of each partition. */
class OffsetTrackerTest {
    static final TopicPartition P0 = new TopicPartition("genq.jobs.preview", 0);
    static final TopicPartition P1 = new TopicPartition("genq.jobs.preview", 1);

    static Map<TopicPartition, OffsetAndMetadata> commit(long p0Next) {
        return Map.of(P0, new OffsetAndMetadata(p0Next));
    }

    @Test
    void onlyTheFinishedPrefixIsCommittedAndOnlyOnce() {
        OffsetTracker t = new OffsetTracker();
        for (long o = 10; o < 15; o++) {
            t.track(P0, o);
        }
        t.done(P0, 11);
        t.done(P0, 12);
        assertEquals(Map.of(), t.committable(), "10 is still running: nothing after it may be committed");
        assertEquals(3, t.inFlight());
        t.done(P0, 10);
        assertEquals(commit(13), t.committable(), "10, 11, 12 finished: commit up to 13");
        assertEquals(Map.of(), t.committable(), "a prefix is committed once");
        t.done(P0, 14);
        assertEquals(Map.of(), t.committable(), "13 is still running");
        t.done(P0, 13);
        assertEquals(commit(15), t.committable());
        assertEquals(0, t.inFlight());
    }

    @Test
    void partitionsAreIndependentAndUnknownOffsetsAreIgnored() {
        OffsetTracker t = new OffsetTracker();
        t.track(P0, 0);
        t.track(P1, 100);
        t.track(P1, 101);
        t.done(P1, 100);
        t.done(P0, 7); // never tracked (a record of a revoked partition finishing late)
        assertEquals(Map.of(P1, new OffsetAndMetadata(101)), t.committable());
        t.done(P0, 0);
        assertEquals(commit(1), t.committable());
        assertEquals(1, t.inFlight());
    }

    @Test
    void aRevokedPartitionIsForgottenWithItsUnfinishedRecords() {
        OffsetTracker t = new OffsetTracker();
        t.track(P0, 0);
        t.track(P1, 0);
        t.forget(List.of(P0));
        assertEquals(1, t.inFlight(), "P0's record is redelivered elsewhere, not waited for");
        t.done(P0, 0); // it finishes here after all: nothing to commit for a partition this worker lost
        t.done(P1, 0);
        Map<TopicPartition, OffsetAndMetadata> out = t.committable();
        assertEquals(Map.of(P1, new OffsetAndMetadata(1)), out);
        assertTrue(t.committable().isEmpty());
    }
}
