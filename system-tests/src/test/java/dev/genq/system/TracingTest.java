package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.system.TraceCollector.ReceivedSpan;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One job is one trace from POST /v1/jobs to the release of its samples: the gateway's request span, the
 * outbox relay's send, the worker's processing, moderation's decision on each sample and the job events
 * that come back to the gateway all share the trace id, each hop a child of the one before, across three
 * processes and three Kafka topics. The client starts the trace (traceparent header), so the test knows
 * the id without asking the platform, and a client can follow its own requests into genq.
 */
class TracingTest {
    final Platform platform = Platform.get();

    @Test
    @Timeout(120)
    void oneJobIsOneTraceAcrossTheGatewayTheWorkerAndModeration() throws Exception {
        HexFormat hex = HexFormat.of();
        String traceId = hex.formatHex(randomBytes(16));
        String clientSpan = hex.formatHex(randomBytes(8));
        var request = platform.api("/v1/jobs").header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a traced apple\",\"num_samples\":2,\"steps\":2}")).build();
        var response = platform.http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        String jobId = Platform.JSON.readTree(response.body()).path("id").asText();
        platform.awaitStatus(jobId, "succeeded", Duration.ofSeconds(60));

        // spans are exported in batches: wait until the last hop is in, the job events back at the gateway:
        // job.started (worker), sample.released x2 and job.succeeded (moderation), each through an outbox
        // each service exports its own batches, so the gateway's last span can arrive before the worker's: wait for all
        List<ReceivedSpan> trace = awaitSpans(traceId, spans -> spans.stream().filter(named("genq-api-gateway", "process genq.job-events")).count() >= 4
                        && spans.stream().anyMatch(named("genq-worker", "process genq.jobs.preview"))
                        && spans.stream().filter(named("genq-moderation", "process genq.samples.generated")).count() >= 2,
                Duration.ofSeconds(30));

        ReceivedSpan submit = only(trace, s -> s.service().equals("genq-api-gateway") && s.name().startsWith("POST /v1/jobs"));
        assertEquals(clientSpan, submit.parentSpanId(), "the request span continues the client's trace");
        ReceivedSpan relayed = only(trace, named("genq-api-gateway", "send genq.jobs.preview"));
        assertTrue(descends(trace, relayed, submit), "the outbox relay's send descends from the request: " + trace);
        ReceivedSpan processed = only(trace, named("genq-worker", "process genq.jobs.preview"));
        assertEquals(relayed.spanId(), processed.parentSpanId(), "the worker continues the relayed message");
        assertEquals(jobId, processed.attributes().get("genq.job.id"));
        List<ReceivedSpan> moderated = trace.stream().filter(named("genq-moderation", "process genq.samples.generated")).toList();
        assertEquals(Set.of("0", "1"), moderated.stream().map(s -> s.attributes().get("genq.sample.idx")).collect(Collectors.toSet()),
                "moderation's decision on each sample is in the trace");
        // the worker writes samples.generated to the outbox with its span; the send (the worker's own, or the
        // gateway relay's when Kafka was away) continues it, and moderation continues the send
        moderated.forEach(m -> {
            ReceivedSpan send = only(trace, x -> x.spanId().equals(m.parentSpanId()));
            assertEquals("send genq.samples.generated", send.name(), "moderation continues the published event");
            assertEquals(processed.spanId(), send.parentSpanId(), "the event's send continues the worker's processing");
        });
        List<ReceivedSpan> events = trace.stream().filter(named("genq-api-gateway", "process genq.job-events")).toList();
        events.forEach(e -> assertTrue(descends(trace, e, submit), "every job event descends from the request: " + e));

        // and no span about this job went to another trace
        List<ReceivedSpan> elsewhere = platform.traces.spans().stream()
                .filter(s -> jobId.equals(s.attributes().get("genq.job.id")) && !s.traceId().equals(traceId)).toList();
        assertEquals(List.of(), elsewhere, "spans of job " + jobId + " outside its trace");
    }

    private List<ReceivedSpan> awaitSpans(String traceId, Predicate<List<ReceivedSpan>> complete, Duration timeout) {
        return platform.traces.await("trace " + traceId, s -> s.traceId().equals(traceId), complete, timeout);
    }

    private static Predicate<ReceivedSpan> named(String service, String name) {
        return s -> s.service().equals(service) && s.name().equals(name);
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = spans.stream().filter(which).toList();
        assertEquals(1, found.size(), "expected exactly one such span in " + spans);
        return found.get(0);
    }

    /** Whether {@code span}'s chain of parents within the trace reaches {@code ancestor}. */
    private static boolean descends(List<ReceivedSpan> trace, ReceivedSpan span, ReceivedSpan ancestor) {
        Map<String, ReceivedSpan> byId = trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, s -> s, (a, b) -> a));
        for (ReceivedSpan s = span; s != null; s = byId.get(s.parentSpanId())) {
            if (s.parentSpanId().equals(ancestor.spanId())) {
                return true;
            }
        }
        return false;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        b[0] |= 1; // an all-zero id is invalid
        return b;
    }
}
