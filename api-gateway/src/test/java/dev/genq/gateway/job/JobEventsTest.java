package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobEventsTest {
    @TestHTTPResource("/v1/jobs")
    URL jobs;

    @Test
    void streamsStatusChangesAndEndsAtATerminalState() throws Exception {
        String id = given().contentType(ContentType.JSON).body("{\"prompt\":\"follow me\"}").when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(jobs + "/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + dev.genq.gateway.TestKeys.CLIENT)
                .timeout(Duration.ofSeconds(30)).build();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> stream =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> response = stream.get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        var lines = response.body().iterator();
        String[] first = within(() -> nextEvent(lines)); // the first event is out
        assertEquals("", first[0], "a status event is unnamed");
        assertTrue(first[1].contains("\"status\":\"queued\""), first[1]);
        String[] queue = within(() -> nextEvent(lines)); // while it waits, where it stands
        assertEquals("queue", queue[0], queue[1]);
        assertTrue(queue[1].matches(".*\"position\":\\d+.*") && queue[1].contains(id), queue[1]);
        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200);
        String[] next;
        do {
            next = within(() -> nextEvent(lines));
        } while (next != null && next[0].equals("queue"));
        assertTrue(next != null && next[1].contains("\"status\":\"canceled\""), String.valueOf(next == null ? null : next[1]));
        assertTrue(within(() -> nextEvent(lines)) == null, "the stream ends after the terminal state");
    }

    /** The next event's name ("" when unnamed) and data, or null when the stream ended. */
    static String[] nextEvent(java.util.Iterator<String> lines) {
        String name = "";
        String data = null;
        while (lines.hasNext()) {
            String l = lines.next();
            if (l.startsWith("event:")) {
                name = l.substring(6).trim();
            } else if (l.startsWith("data:")) {
                data = l.substring(5).trim();
            } else if (l.isEmpty() && data != null) {
                return new String[] {name, data};
            }
        }
        return data == null ? null : new String[] {name, data};
    }

    /** A blocking read of the stream, bounded. */
    static <T> T within(java.util.function.Supplier<T> read) throws Exception {
        return CompletableFuture.supplyAsync(read).get(30, TimeUnit.SECONDS);
    }

    @Test
    void unknownJobIs404BeforeAnyStream() {
        given().header("Accept", "text/event-stream").when().get("/v1/jobs/" + UUID.randomUUID() + "/events")
                .then().statusCode(404).body("code", equalTo("job_not_found"));
    }
}
