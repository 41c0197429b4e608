package dev.genq.storage.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Spans for the Kafka hops of a job, named and tagged after the OpenTelemetry messaging conventions
 * ("send genq.jobs.preview", "process genq.samples.generated") plus the job id, so a trace viewer shows
 * where a job's time went and every span of a job can be found by its id.
 */
@ApplicationScoped
public class MessagingSpans {
    public static final String JOB_ID = "genq.job.id";

    private final Tracer tracer;

    public MessagingSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    /** A consumer span for handling one record of {@code topic}, child of the trace the record carried. */
    public Span process(String topic, Context parent, UUID jobId) {
        return start("process " + topic, SpanKind.CONSUMER, "process", topic, parent, jobId);
    }

    /** A producer span for publishing one record to {@code topic}, child of {@code parent}. */
    public Span send(String topic, Context parent, UUID jobId) {
        return start("send " + topic, SpanKind.PRODUCER, "send", topic, parent, jobId);
    }

    /** Ends the span, marking it failed when {@code error} is not null. */
    public static void end(Span span, Throwable error) {
        if (error != null) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        }
        span.end();
    }

    private Span start(String name, SpanKind kind, String operation, String topic, Context parent, UUID jobId) {
        var builder = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.operation.type", operation)
                .setAttribute("messaging.destination.name", topic);
        if (jobId != null) {
            builder.setAttribute(JOB_ID, jobId.toString());
        }
        return builder.startSpan();
    }
}
