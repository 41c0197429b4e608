package dev.genq.storage.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Commit the unbroken prefix of each partition, read the rest again: across every partition of a poll. */
class PollProgressTest {
    static final TopicPartition P0 = new TopicPartition("t", 0);
    static final TopicPartition P1 = new TopicPartition("t", 1);
    static final TopicPartition P2 = new TopicPartition("t", 2);

    /** A poll with records at the given offsets for P0, P1 and P2. */
    static ConsumerRecords<String, String> poll(long[] p0, long[] p1, long[] p2) {
        Map<TopicPartition, List<ConsumerRecord<String, String>>> map = new LinkedHashMap<>();
        for (var e : Map.of(P0, p0, P1, p1, P2, p2).entrySet()) {
            List<ConsumerRecord<String, String>> list = new ArrayList<>();
            for (long offset : e.getValue()) {
                list.add(new ConsumerRecord<>("t", e.getKey().partition(), offset, "k", "v" + offset));
            }
            if (!list.isEmpty()) {
                map.put(e.getKey(), list);
            }
        }
        return new ConsumerRecords<>(map);
    }

    @Test
    void aFailureInOnePartitionRewindsOnlyWhatWasNotTakenUpAnywhere() {
        var records = poll(new long[] {10, 11, 12}, new long[] {5, 6}, new long[] {7});
        PollProgress<String, String> progress = new PollProgress<>(records);
        // serial handling: P0's 10 and 11 done, 12 failed; P1 and P2 never reached
        progress.done(records.records(P0).get(0));
        progress.done(records.records(P0).get(1));
        assertEquals(Map.of(P0, new OffsetAndMetadata(12)), progress.commits());
        assertEquals(Map.of(P0, 12L, P1, 5L, P2, 7L), progress.rewinds(), "the partitions after the failure are read again too");
    }

    @Test
    void aGapIsNotCommittedOverEvenWhenLaterRecordsSucceeded() {
        var records = poll(new long[] {10, 11, 12}, new long[] {5, 6}, new long[] {});
        PollProgress<String, String> progress = new PollProgress<>(records);
        // parallel handling: P0's 11 failed while 10 and 12 succeeded; P1 all succeeded
        progress.done(records.records(P0).get(0));
        progress.done(records.records(P0).get(2));
        records.records(P1).forEach(progress::done);
        assertEquals(Map.of(P0, new OffsetAndMetadata(11), P1, new OffsetAndMetadata(7)), progress.commits());
        assertEquals(Map.of(P0, 11L), progress.rewinds());
    }

    @Test
    void settleCommitsAndSeeksOnARealConsumerPosition() {
        MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
        consumer.assign(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.seek(P0, 3);
        consumer.seek(P1, 9);
        var records = poll(new long[] {0, 1, 2}, new long[] {7, 8}, new long[] {});
        PollProgress<String, String> progress = new PollProgress<>(records);
        progress.done(records.records(P0).get(0));
        records.records(P1).forEach(progress::done);
        assertFalse(progress.settle(consumer));
        assertEquals(1L, consumer.position(P0), "read again from the first record not taken up");
        assertEquals(9L, consumer.position(P1), "a partition taken up whole goes on");
        assertEquals(new OffsetAndMetadata(1), consumer.committed(java.util.Set.of(P0)).get(P0));
        assertEquals(new OffsetAndMetadata(9), consumer.committed(java.util.Set.of(P1)).get(P1));

        PollProgress<String, String> all = new PollProgress<>(records);
        records.forEach(all::done);
        assertTrue(all.settle(consumer));
    }
}
