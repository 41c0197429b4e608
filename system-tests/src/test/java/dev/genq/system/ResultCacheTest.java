package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The exact result cache: a repeated request of a tenant is answered from its earlier released samples (same bytes,
 * billed nothing, marked cache_hit) at once; another tenant's identical request, and a request that opts out, compute.
 */
class ResultCacheTest {
    final Platform platform = Platform.get();

    @Test
    void aRepeatedRequestIsAnsweredFromStorageBilledNothingAndNeverAcrossTenants() {
        String owner = platform.newTenant("");
        String other = platform.newTenant("");
        String body = "{\"prompt\":\"a green frog\",\"num_samples\":2,\"steps\":3,\"seed\":4242}";
        JsonNode first = waitFor(owner, body);
        assertEquals("succeeded", first.path("status").asText(), first.toString());
        assertFalse(first.path("samples").get(0).has("cache_hit"));
        assertTrue(first.path("cost").path("usd").decimalValue().signum() > 0);

        // a dry run of the same request says the cache would answer it, for nothing; another tenant's would be computed
        var dry = platform.post(owner, "/v1/jobs", body.replace("}", ",\"dry_run\":true}"));
        assertEquals(200, dry.status(), dry.raw());
        assertTrue(dry.body().path("cache_hit").asBoolean(), dry.raw());
        assertEquals(0, dry.body().path("estimated_cost_usd").decimalValue().signum(), dry.raw());
        var otherDry = platform.post(other, "/v1/jobs", body.replace("}", ",\"dry_run\":true}"));
        assertFalse(otherDry.body().path("cache_hit").asBoolean(), otherDry.raw());
        assertTrue(otherDry.body().path("estimated_cost_usd").decimalValue().signum() > 0, otherDry.raw());

        JsonNode again = waitFor(owner, body);
        assertEquals("succeeded", again.path("status").asText(), "answered at submit: " + again);
        assertEquals(0, again.path("cost").path("usd").decimalValue().signum(), "a cache hit costs nothing");
        assertEquals(2, again.path("samples").size());
        for (int i = 0; i < 2; i++) {
            JsonNode s = again.path("samples").get(i);
            assertTrue(s.path("cache_hit").asBoolean(), s.toString());
            assertEquals("released", s.path("status").asText());
            assertArrayEquals(platform.download(first.path("samples").get(i).path("url").asText()),
                    platform.download(s.path("url").asText()), "the same bytes");
        }
        assertEquals(0, platform.count("select count(*) from sample_costs where job_id = ?", UUID.fromString(again.path("id").asText())));

        JsonNode theirs = waitFor(other, body);
        assertEquals("succeeded", theirs.path("status").asText());
        assertFalse(theirs.path("samples").get(0).has("cache_hit"), "never from another tenant's results: " + theirs);
        assertTrue(theirs.path("cost").path("usd").decimalValue().signum() > 0, "computed and billed");

        JsonNode optedOut = waitFor(owner, body.replace("}", ",\"cache\":false}"));
        assertFalse(optedOut.path("samples").get(0).has("cache_hit"), "cache:false computes: " + optedOut);
        assertTrue(optedOut.path("cost").path("usd").decimalValue().signum() > 0);
        assertEquals(platform.text("select sha256 from samples where job_id = ? and idx = 0", UUID.fromString(first.path("id").asText())),
                platform.text("select sha256 from samples where job_id = ? and idx = 0", UUID.fromString(optedOut.path("id").asText())),
                "computed again, the same pixels: what makes the cache exact");
    }

    /** Submits with Prefer: wait=60 and answers the job as it stands then. */
    private JsonNode waitFor(String key, String body) {
        Platform.Reply r = platform.send(platform.api(key, "/v1/jobs").header("Content-Type", "application/json")
                .header("Prefer", "wait=60").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertTrue(r.status() == 200 || r.status() == 202, r.raw());
        return r.body();
    }
}
