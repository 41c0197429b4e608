package dev.genq.storage.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TraceContextTest {
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aStoredTraceparentSurvivesTheKafkaHeadersUnchanged() {
        Context stored = TraceContext.fromTraceparent(TRACEPARENT);
        assertTrue(TraceContext.isTraced(stored));
        RecordHeaders headers = new RecordHeaders();
        TraceContext.inject(stored, headers);
        assertEquals(TRACEPARENT, new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8));
        Context read = TraceContext.fromHeaders(headers);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", Span.fromContext(read).getSpanContext().getTraceId());
        assertEquals("00f067aa0ba902b7", Span.fromContext(read).getSpanContext().getSpanId());
        try (Scope ignored = read.makeCurrent()) {
            assertEquals(TRACEPARENT, TraceContext.traceparent(), "what a consumer stores continues the same trace");
        }
    }

    @Test
    void injectingTwiceLeavesOneHeader() {
        RecordHeaders headers = new RecordHeaders();
        TraceContext.inject(TraceContext.fromTraceparent(TRACEPARENT), headers);
        TraceContext.inject(TraceContext.fromTraceparent(TRACEPARENT.replace("-01", "-00")), headers);
        assertEquals(1, headers.toArray().length);
    }

    @Test
    void untracedOrMalformedMeansNoTraceAndNoHeader() {
        assertNull(TraceContext.traceparent(), "no current span: nothing to store");
        for (String bad : new String[] {null, "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
            Context c = TraceContext.fromTraceparent(bad);
            assertFalse(TraceContext.isTraced(c), bad);
            RecordHeaders headers = new RecordHeaders();
            TraceContext.inject(c, headers);
            assertNull(headers.lastHeader("traceparent"), bad);
        }
        assertFalse(TraceContext.isTraced(TraceContext.fromHeaders(new RecordHeaders())));
    }
}
