package dev.genq.worker.job;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Records finish out of order when jobs share batches, but a Kafka offset commit covers everything
 * before it: per partition, only the offset after the longest finished prefix may be committed. Used
 * by the consumer thread only.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeMap<Long, Boolean>> partitions = new HashMap<>();

    void track(TopicPartition tp, long offset) {
        partitions.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, false);
    }

    void done(TopicPartition tp, long offset) {
        TreeMap<Long, Boolean> offsets = partitions.get(tp);
        if (offsets != null && offsets.containsKey(offset)) {
            offsets.put(offset, true);
        }
    }

    /** Removes every finished prefix and returns what to commit for it. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (var e : partitions.entrySet()) {
            Long last = null;
            for (Iterator<Map.Entry<Long, Boolean>> it = e.getValue().entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Boolean> o = it.next();
                if (!o.getValue()) {
                    break;
                }
                last = o.getKey();
                it.remove();
            }
            if (last != null) {
                out.put(e.getKey(), new OffsetAndMetadata(last + 1));
            }
        }
        return out;
    }

    int inFlight() {
        int n = 0;
        for (TreeMap<Long, Boolean> offsets : partitions.values()) {
            for (boolean done : offsets.values()) {
                if (!done) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Partitions taken away by a rebalance: their unfinished records will be redelivered elsewhere. */
    void forget(Collection<TopicPartition> revoked) {
        revoked.forEach(partitions::remove);
    }
}
