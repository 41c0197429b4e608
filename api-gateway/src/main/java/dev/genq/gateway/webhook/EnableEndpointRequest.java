package dev.genq.gateway.webhook;

/** Body of {@code POST /v1/webhooks/endpoints/enable}. */
public record EnableEndpointRequest(String url) {
}
