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
        var data = response.body().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).iterator();
        String first = within(data::next); // the first event is out
        assertTrue(first.contains("\"status\":\"queued\""), first);
        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200);
        String second = within(data::next);
        assertTrue(second.contains("\"status\":\"canceled\""), second);
        assertTrue(!within(data::hasNext), "the stream ends after the terminal state");
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
