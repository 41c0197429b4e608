package dev.genq.gateway.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * A batch as its owner sees it: {@code status} running until every item's job has ended, then completed (or canceled,
 * when canceled before that); {@code counts}: items by their job's status (deleted, once its client deleted it);
 * {@code cost}: what its jobs cost so far (deleted jobs included).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchView(UUID id, String status, int items, Map<String, Long> counts, Cost cost, String webhook,
                        OffsetDateTime createdAt, OffsetDateTime canceledAt, OffsetDateTime completedAt) {

    public record Cost(double computeSeconds, BigDecimal usd) {
    }
}
