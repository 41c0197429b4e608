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
import java.util.List;
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
        CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() ->
                response.body().filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList());
        Thread.sleep(500); // the first event is out; now change the job
        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200);
        List<String> data = events.get(20, TimeUnit.SECONDS); // completes only because the stream ended
        assertEquals(2, data.size(), data.toString());
        assertTrue(data.get(0).contains("\"status\":\"queued\""), data.get(0));
        assertTrue(data.get(1).contains("\"status\":\"canceled\""), data.get(1));
    }

    @Test
    void unknownJobIs404BeforeAnyStream() {
        given().header("Accept", "text/event-stream").when().get("/v1/jobs/" + UUID.randomUUID() + "/events")
                .then().statusCode(404).body("code", equalTo("job_not_found"));
    }
}
