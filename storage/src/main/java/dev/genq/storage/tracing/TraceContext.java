package dev.genq.storage.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context in the two places a job's trace has to survive between services: Kafka record
 * headers (the services use the Kafka clients directly, so nothing instruments them) and a
 * {@code traceparent} column (the outbox relays rows later, from another thread or another gateway).
 */
public final class TraceContext {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final String TRACEPARENT = "traceparent";

    private TraceContext() {
    }

    /** The current span as a traceparent to store with a row; null when nothing is being traced. */
    public static String traceparent() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(Context.current(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** The context a stored traceparent stands for; the root context when there is none or it is malformed. */
    public static Context fromTraceparent(String traceparent) {
        if (traceparent == null) {
            return Context.root();
        }
        return W3C.extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP);
    }

    /** The context a Kafka record carries; the root context when it carries none. */
    public static Context fromHeaders(Headers headers) {
        return W3C.extract(Context.root(), headers, HEADERS);
    }

    /** Writes {@code context}'s span into the record's headers (nothing when it has no valid span). */
    public static void inject(Context context, Headers headers) {
        W3C.inject(context, headers, HEADER_SETTER);
    }

    /** Whether {@code context} belongs to a trace (a valid span), i.e. whether there is anything to continue. */
    public static boolean isTraced(Context context) {
        return Span.fromContext(context).getSpanContext().isValid();
    }

    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return StreamSupport.stream(carrier.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers carrier, String key) {
            Header h = carrier == null ? null : carrier.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapSetter<Headers> HEADER_SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.remove(key);
            carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };
}
