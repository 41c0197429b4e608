package dev.genq.storage.messaging;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One poll of a manual-commit consumer and which of its records were taken up. Each partition commits
 * the records taken up before its first one that was not, and is read again from that one; partitions
 * whose records were all taken up go on. So a failure never skips an event and never re-reads a
 * committed one, whichever partitions the poll spanned (the consumer's position is past all of them).
 * The gateway's job-event consumer (serial) and moderation's sample consumer (parallel) settle each poll
 * with it; the worker's job consumer keeps jobs running across polls, so it tracks offsets with its own
 * {@code OffsetTracker} instead.
 */
public final class PollProgress<K, V> {
    private final ConsumerRecords<K, V> records;
    private final Set<ConsumerRecord<K, V>> done = Collections.newSetFromMap(new IdentityHashMap<>());

    public PollProgress(ConsumerRecords<K, V> records) {
        this.records = records;
    }

    public void done(ConsumerRecord<K, V> record) {
        done.add(record);
    }

    /** Per partition, the offset after its records taken up without a gap from the first. */
    public Map<TopicPartition, OffsetAndMetadata> commits() {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<K, V> record : records.records(tp)) {
                if (!done.contains(record)) {
                    break;
                }
                commits.put(tp, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        return commits;
    }

    /** Per partition with a record not taken up, the first such offset: where it must be read again. */
    public Map<TopicPartition, Long> rewinds() {
        Map<TopicPartition, Long> rewinds = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<K, V>> partition = records.records(tp);
            partition.stream().filter(r -> !done.contains(r)).findFirst().ifPresent(r -> rewinds.put(tp, r.offset()));
        }
        return rewinds;
    }

    /** Commits what was taken up and moves back to what was not. @return whether every record was taken up */
    public boolean settle(Consumer<K, V> consumer) {
        Map<TopicPartition, OffsetAndMetadata> commits = commits();
        if (!commits.isEmpty()) {
            consumer.commitSync(commits);
        }
        Map<TopicPartition, Long> rewinds = rewinds();
        rewinds.forEach(consumer::seek);
        return rewinds.isEmpty();
    }
}
