package dev.genq.moderation.review;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/reviews/{id}/decision}. */
public record DecisionRequest(@Schema(required = true, enumeration = {"approve", "reject"}) String decision,
                              @Schema(maxLength = 2000) String note) {
}
