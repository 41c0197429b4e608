package dev.genq.gateway.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.genq.gateway.job.JobView;
import java.time.Instant;

/**
 * A webhook body in the Standard Webhooks shape: {@code type}, {@code timestamp}, {@code data}; the data is
 * the job as {@code GET /v1/jobs/{id}} showed it when the event was taken up, with each released sample's
 * {@code link} instead of a presigned URL: a delivery retried for a day must not carry a URL that expired.
 *
 * @param sample the sample index for {@code sample.*} events
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookPayload(String type, Instant timestamp, Integer sample, JobView data) {
}
