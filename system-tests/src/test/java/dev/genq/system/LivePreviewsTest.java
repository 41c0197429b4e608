package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Live previews across the three services: the worker takes each sample's estimate every preview_every steps,
 * moderation scores it, the gateway puts it on the job's event stream while the job still runs. A preview
 * the policy flags is withheld: the stream says so and never carries its image.
 *
 * <p>The jobs are long (400 steps) and canceled once the previews were seen, so "while the job runs" does not
 * depend on how fast this machine is: the first preview is taken 380 steps before the job could end.
 */
class LivePreviewsTest {
    final Platform platform = Platform.get();

    /** One Server-Sent Event: its name (null: unnamed, a status event) and data. */
    record Sse(String name, JsonNode data) {
    }

    @Test
    void previewsOfARunningJobArriveModeratedAndArePictures() throws Exception {
        String id = platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":2,\"steps\":400,\"preview_every\":20,\"seed\":5}");
        Iterator<String> lines = open(id);
        List<Sse> seen = new ArrayList<>();
        Sse released = null;
        while (released == null) {
            Sse e = next(lines, seen);
            assertFalse(e.name() == null && terminal(e), "the job ended before any preview was released: " + seen);
            if ("preview".equals(e.name()) && "released".equals(e.data().path("status").asText())) {
                released = e;
            }
        }
        assertEquals(id, released.data().path("id").asText());
        assertEquals("base", released.data().path("stage").asText());
        assertEquals(400, released.data().path("steps").asInt());
        assertEquals(0, released.data().path("step").asInt() % 20);
        String image = released.data().path("image").asText();
        assertTrue(image.startsWith("data:image/png;base64,"), image);
        // the fixture model draws coloured noise: a picture by the platform's bar, at the model's resolution
        Pictures.assertPicture(Base64.getDecoder().decode(image.substring("data:image/png;base64,".length())), 32,
                "a live preview");

        assertEquals(200, platform.post("/v1/jobs/" + id + "/cancel", "{}").status());
        Sse last = drain(lines, seen);
        assertEquals("canceled", last.data().path("status").asText());
        JsonNode job = platform.get("/v1/jobs/" + id).body();
        assertTrue(job.path("samples").isEmpty() || job.path("samples").findValues("url").isEmpty(),
                "previews are not stored as samples: " + job);
    }

    @Test
    void aPreviewThePolicyFlagsIsWithheldAndItsImageNeverSent() throws Exception {
        // "sword" is a weapon term: the prompt policy quarantines every sample of this job, so every preview too
        String id = platform.submit("{\"prompt\":\"a sword\",\"num_samples\":2,\"steps\":400,\"preview_every\":20,\"seed\":6}");
        Iterator<String> lines = open(id);
        List<Sse> seen = new ArrayList<>();
        int previews = 0;
        while (previews < 2) {
            Sse e = next(lines, seen);
            assertFalse(e.name() == null && terminal(e), "the job ended before its previews were answered: " + seen);
            if ("preview".equals(e.name())) {
                previews++;
            }
        }
        assertEquals(200, platform.post("/v1/jobs/" + id + "/cancel", "{}").status());
        drain(lines, seen);
        for (Sse e : seen) {
            if ("preview".equals(e.name())) {
                assertEquals("withheld", e.data().path("status").asText(), e.data().toString());
                assertTrue(e.data().path("image").isMissingNode(), "no image for a withheld preview: " + e.data());
            }
        }
    }

    Iterator<String> open(String id) throws Exception {
        var request = platform.api("/v1/jobs/" + id + "/events").header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(180)).build();
        HttpResponse<java.util.stream.Stream<String>> response = platform.http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        return response.body().iterator();
    }

    static boolean terminal(Sse e) {
        return List.of("succeeded", "failed", "canceled", "needs_review", "rejected").contains(e.data().path("status").asText());
    }

    /** Reads to the end of the stream; returns its last status event. */
    static Sse drain(Iterator<String> lines, List<Sse> seen) throws Exception {
        Sse last = null;
        for (Sse e = next(lines, seen); e != null; e = nextOrEnd(lines, seen)) {
            if (e.name() == null) {
                last = e;
            }
        }
        assertNotNull(last);
        assertTrue(terminal(last), "the stream ends at a terminal state: " + seen);
        return last;
    }

    static Sse next(Iterator<String> lines, List<Sse> seen) throws Exception {
        Sse e = nextOrEnd(lines, seen);
        assertNotNull(e, "the stream ended early: " + seen);
        return e;
    }

    /** The next event within 90 s, or null when the stream ended. */
    static Sse nextOrEnd(Iterator<String> lines, List<Sse> seen) throws Exception {
        Sse e = CompletableFuture.supplyAsync(() -> {
            String name = null;
            StringBuilder data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty() && data.length() > 0) {
                    try {
                        return new Sse(name, Platform.JSON.readTree(data.toString()));
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            return null;
        }).get(90, TimeUnit.SECONDS);
        if (e != null) {
            seen.add(e);
        }
        return e;
    }
}
