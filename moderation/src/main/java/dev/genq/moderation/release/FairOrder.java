package dev.genq.moderation.release;

import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.SampleGenerated;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The order a poll's samples are moderated in: interactive jobs' samples before bulk jobs', and within each lane one
 * sample of each tenant in turn (each tenant's own in log order). The dispatcher keeps the platform's queue fair; this
 * keeps moderation, the pipeline's last stage, from undoing that with a first-come order. Offsets are still committed
 * in log order, after each sample is settled.
 */
final class FairOrder {
    private FairOrder() {
    }

    static List<ConsumerRecord<String, String>> of(Iterable<ConsumerRecord<String, String>> records) {
        Map<UUID, Deque<ConsumerRecord<String, String>>> interactive = new LinkedHashMap<>();
        Map<UUID, Deque<ConsumerRecord<String, String>>> bulk = new LinkedHashMap<>();
        List<ConsumerRecord<String, String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            SampleGenerated event;
            try {
                event = EventCodec.decode(r.value(), SampleGenerated.class);
            } catch (IllegalArgumentException e) {
                unreadable.add(r); // handled (and logged) like any other record
                continue;
            }
            (event.bulk() ? bulk : interactive).computeIfAbsent(event.tenantId(), t -> new ArrayDeque<>()).add(r);
        }
        List<ConsumerRecord<String, String>> order = new ArrayList<>(unreadable);
        roundRobin(interactive, order);
        roundRobin(bulk, order);
        return order;
    }

    private static void roundRobin(Map<UUID, Deque<ConsumerRecord<String, String>>> byTenant, List<ConsumerRecord<String, String>> out) {
        boolean more = true;
        while (more) {
            more = false;
            for (Deque<ConsumerRecord<String, String>> q : byTenant.values()) {
                if (!q.isEmpty()) {
                    out.add(q.poll());
                    more = more || !q.isEmpty();
                }
            }
        }
    }
}
