package dev.genq.gateway.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;

/** A webhook delivery and every attempt at it; {@code id} is the webhook-id the receiver saw. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryView(String id, String eventType, String url, String status, int attempts,
                           OffsetDateTime nextAttemptAt, OffsetDateTime createdAt, OffsetDateTime finishedAt,
                           List<Attempt> attemptLog) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attempt(int attempt, OffsetDateTime attemptedAt, int durationMs, Integer responseStatus, String error) {
    }
}
