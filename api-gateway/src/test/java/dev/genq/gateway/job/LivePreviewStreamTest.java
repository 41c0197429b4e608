package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.storage.job.Job;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.PreviewModerated;
import dev.genq.storage.messaging.Topics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A job's event stream carries the live previews moderation answered for it: released ones with their image,
 * withheld ones without, and never one addressed to another tenant. Moderation's answers are put on the
 * topic here as the moderation service would.
 */
@QuarkusTest
class LivePreviewStreamTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A 1x1 PNG stands for an image: the gateway passes what moderation released, unchanged. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

    @TestHTTPResource("/v1/jobs")
    URL jobs;
    final KafkaClients kafka;

    LivePreviewStreamTest(KafkaClients kafka) {
        this.kafka = kafka;
    }

    /** One Server-Sent Event: its name (null: unnamed) and data. */
    record Sse(String name, JsonNode data) {
    }

    static Sse next(Iterator<String> lines) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            String name = null;
            StringBuilder data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        try {
                            return new Sse(name, JSON.readTree(data.toString()));
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    continue;
                }
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                } else {
                    throw new AssertionError("only the standard fields event and data: " + line);
                }
            }
            return null; // the stream ended
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void releasedPreviewsCarryTheirImageWithheldOnesDoNotAndOtherTenantsNeverShow() throws Exception {
        String id = given().contentType(ContentType.JSON).body("{\"prompt\":\"watch me\",\"steps\":8,\"preview_every\":2}")
                .when().post("/v1/jobs").then().statusCode(202).body("params.preview_every", equalTo(2)).extract().path("id");
        UUID jobId = UUID.fromString(id);
        UUID tenant = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(jobId).tenantId);
        HttpRequest request = HttpRequest.newBuilder(URI.create(jobs + "/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + dev.genq.gateway.TestKeys.CLIENT)
                .timeout(Duration.ofSeconds(120)).build();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        Iterator<String> lines = response.body().iterator();
        Sse first = next(lines);
        assertNull(first.name(), "status events stay unnamed, as before previews existed");
        assertEquals("queued", first.data().path("status").asText());

        List<Sse> previews = new ArrayList<>();
        try (KafkaProducer<String, String> producer = kafka.producer("test-previews")) {
            // the gateway reads the topic from its newest message once it has joined: send rounds (another tenant's
            // answer for this job id, a withheld one, a released one, in that order on the job's partition) until a
            // round's released preview arrives; everything before it on the partition was read by then
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            boolean done = false;
            for (int round = 1; !done && System.nanoTime() < deadline; round++) {
                for (PreviewModerated p : List.of(
                        new PreviewModerated(jobId, UUID.randomUUID(), "base", 3, round, 8, true, PNG),
                        new PreviewModerated(jobId, tenant, "base", 1, round, 8, false, null),
                        new PreviewModerated(jobId, tenant, "base", 0, round, 8, true, PNG))) {
                    producer.send(new ProducerRecord<>(Topics.PREVIEWS_MODERATED, id, EventCodec.encode(p))).get();
                }
                long roundEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < roundEnd) {
                    Sse e = CompletableFuture.supplyAsync(() -> {
                        try {
                            return next(lines);
                        } catch (Exception ex) {
                            return null;
                        }
                    }).completeOnTimeout(null, 2, TimeUnit.SECONDS).get();
                    if (e == null) {
                        break;
                    }
                    previews.add(e);
                    if (e.data().path("sample").asInt() == 0 && e.data().path("step").asInt() == round) {
                        done = true;
                        break;
                    }
                }
            }
            assertTrue(done, "a released preview reached the stream within 60 s: " + previews);
        }
        boolean sawWithheld = false;
        for (Sse e : previews) {
            assertEquals("preview", e.name());
            assertEquals(id, e.data().path("id").asText());
            assertFalse(e.data().path("sample").asInt() == 3, "another tenant's preview never reaches this stream");
            if (e.data().path("status").asText().equals("withheld")) {
                sawWithheld = true;
                assertTrue(e.data().path("image").isMissingNode(), "a withheld preview has no image: " + e.data());
            } else {
                assertEquals("released", e.data().path("status").asText());
                String image = e.data().path("image").asText();
                assertTrue(image.startsWith("data:image/png;base64,"), image);
                assertEquals(PNG, image.substring("data:image/png;base64,".length()));
                Base64.getDecoder().decode(PNG);
            }
        }
        assertTrue(sawWithheld, "the stream says when a preview was withheld: " + previews);

        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200);
        Sse last;
        do {
            last = next(lines);
        } while (last != null && "preview".equals(last.name()));
        assertEquals("canceled", last.data().path("status").asText());
        assertNull(next(lines), "the stream ends after the terminal state");
    }

    @Test
    void previewEveryOutsideZeroToStepsIsRefusedAndNothingIsCreated() {
        long jobsBefore = QuarkusTransaction.requiringNew().call(() -> Job.count());
        for (String body : List.of("{\"prompt\":\"x\",\"steps\":8,\"preview_every\":9}", "{\"prompt\":\"x\",\"preview_every\":-1}")) {
            given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs").then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("preview_every_out_of_range"))
                    .body("field", equalTo("preview_every"));
        }
        assertEquals(jobsBefore, QuarkusTransaction.requiringNew().call(() -> Job.count()), "no job was created");
        given().contentType(ContentType.JSON).body("{\"prompt\":\"x\",\"steps\":8}").when().post("/v1/jobs")
                .then().statusCode(202).body("params.preview_every", equalTo(null));
    }
}
