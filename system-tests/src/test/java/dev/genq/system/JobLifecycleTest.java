package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** submit -> Kafka -> worker -> S3 -> moderation -> poll -> download, across the three real services. */
class JobLifecycleTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
    final Platform platform = Platform.get();

    @Test
    void previewJobSucceedsAndItsPngsDownloadThroughPresignedUrls() throws Exception {
        String id = platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":2,\"seed\":7,\"steps\":12}");
        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);

        assertEquals(1.0, job.path("progress").asDouble());
        assertEquals("tiny-base@1", job.path("model_version").asText());
        assertEquals(2, job.path("samples").size());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (JsonNode s : job.path("samples")) {
            assertEquals("released", s.path("status").asText());
            assertTrue(Instant.parse(s.path("url_expires_at").asText()).isAfter(Instant.now()));
            byte[] png = platform.download(s.path("url").asText());
            Pictures.assertPicture(png, 32, "sample " + s.path("index").asInt()); // the model's resolution, and a picture
            Pictures.assertPictureVerdict(s);
            String stored = dbSha(id, s.path("index").asInt());
            // what was downloaded is the worker's bytes with the provenance chunks added, nothing else changed
            assertEquals(stored, HexFormat.of().formatHex(sha.digest(Pictures.withoutProvenance(png))), "the bytes the worker stored");
            assertTrue(s.path("cost").path("compute_seconds").asDouble() > 0);
            assertTrue(s.path("cost").path("usd").decimalValue().signum() > 0);
        }
        // one base-stage cost row per sample; the job's cost is their sum
        assertEquals(2, platform.count("select count(*) from sample_costs where job_id = ?", UUID.fromString(id)));
        BigDecimal sum = job.path("samples").get(0).path("cost").path("usd").decimalValue()
                .add(job.path("samples").get(1).path("cost").path("usd").decimalValue());
        assertEquals(0, sum.compareTo(job.path("cost").path("usd").decimalValue()));
        // released objects live only in the outputs bucket
        assertEquals(2, platform.objects("genq-outputs", id).size());
        assertEquals(0, platform.objects("genq-pending", id).size());
        // each sample has its own seed, so a grid shows different images
        assertFalse(job.path("samples").get(0).path("seed").asLong() == job.path("samples").get(1).path("seed").asLong());
        assertFalse(dbSha(id, 0).equals(dbSha(id, 1)));
    }

    @Test
    void fullJobRunsBaseThenSuperResolutionAndBillsBothStages() throws Exception {
        String id = platform.submit("{\"prompt\":\"a blue star\",\"mode\":\"full\",\"seed\":3,\"steps\":8}");
        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        assertEquals("tiny-base@1+tiny-sr@1", job.path("model_version").asText());
        JsonNode sample = job.path("samples").get(0);
        Pictures.assertPicture(platform.download(sample.path("url").asText()), 128, "full sample");
        assertEquals(List.of("base", "super_resolution"), stages(id));
    }

    @Test
    void preferWaitReturnsTheFinishedJobAndUsageCountsIt() throws Exception {
        var request = platform.api("/v1/jobs")
                .header("Content-Type", "application/json").header("Prefer", "wait=30")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a moon\",\"num_samples\":3,\"steps\":4}")).build();
        var response = platform.http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("wait=30", response.headers().firstValue("Preference-Applied").orElse(""));
        JsonNode job = Platform.JSON.readTree(response.body());
        assertEquals("succeeded", job.path("status").asText());
        assertEquals(3, job.path("samples").size());
        assertTrue(job.path("samples").get(2).path("url").asText().startsWith("http://127.0.0.1:"));

        JsonNode usage = platform.get("/v1/usage").body();
        long samples = usage.path("total").path("samples").asLong();
        assertTrue(samples >= 3, usage.toString());
        boolean base = false;
        for (JsonNode day : usage.path("days")) {
            base |= "tiny-base@1".equals(day.path("model").asText());
        }
        assertTrue(base, "usage is reported per model");
    }

    @Test
    void eventStreamFollowsAJobToItsEnd() throws Exception {
        String id = platform.submit("{\"prompt\":\"a rocket\",\"steps\":40,\"num_samples\":2}");
        var request = platform.api("/v1/jobs/" + id + "/events")
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(90)).build();
        List<String> data = platform.http.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines()).body()
                .filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).toList();
        String last = data.get(data.size() - 1);
        assertTrue(last.contains("\"status\":\"succeeded\"") && last.contains("\"progress\":1.0"), data.toString());
        assertTrue(data.size() >= 2, "saw the job change: " + data);
    }

    @Test
    void everySamplerTheCatalogListsRunsEndToEnd() {
        for (String sampler : List.of("ddim", "ddpm", "dpmpp_2m")) {
            String id = platform.submit("{\"prompt\":\"a green tree\",\"sampler\":\"" + sampler + "\",\"steps\":5}");
            JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
            assertEquals(sampler, job.path("params").path("sampler").asText());
        }
        // the worker registered its packages: the gateway knows the model's limits
        Platform.Reply tooMany = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"tiny-sr\"}");
        assertEquals(400, tooMany.status());
        assertEquals("unknown_model", tooMany.body().path("code").asText());
    }

    @Test
    void sameSeedAndParametersGiveTheSameBytes() throws Exception {
        String body = "{\"prompt\":\"a green frog\",\"seed\":1234,\"steps\":6}";
        String a = platform.submit(body);
        String b = platform.submit(body);
        platform.awaitStatus(a, "succeeded", JOB_TIMEOUT);
        platform.awaitStatus(b, "succeeded", JOB_TIMEOUT);
        assertEquals(dbSha(a, 0), dbSha(b, 0));
    }

    /**
     * What a dry run says is what the job is billed: a stage is billed per step at the price quoted when the job was
     * accepted (the model's measured cost), not at the job's own wall time, which the machine's load stretches (the
     * same job billed 39 to 57 µUSD minutes apart on 2 shared cores). What each sample used is recorded beside it.
     */
    @Test
    void aJobIsBilledWhatItsDryRunSaid() throws Exception {
        // a history for both stages, so the estimate is measured (a bulk job's dry run and bill are both at the bulk price)
        platform.awaitStatus(platform.submit("{\"prompt\":\"a quoted pear\",\"mode\":\"full\",\"num_samples\":2,\"seed\":11,\"steps\":6}"),
                "succeeded", JOB_TIMEOUT);
        String[] bodies = {
                "{\"prompt\":\"a quoted plum\",\"num_samples\":1,\"seed\":12,\"steps\":5}",
                "{\"prompt\":\"a quoted fig\",\"num_samples\":3,\"seed\":13,\"steps\":9}",
                "{\"prompt\":\"a quoted lime\",\"mode\":\"full\",\"num_samples\":2,\"seed\":14,\"steps\":4}",
                "{\"prompt\":\"a quoted kiwi\",\"num_samples\":2,\"seed\":15,\"steps\":6,\"priority\":\"bulk\"}"};
        for (String body : bodies) {
            JsonNode dry = awaitMeasuredEstimate(body);
            String id = platform.submit(body);
            JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
            BigDecimal billed = job.path("cost").path("usd").decimalValue();
            double ratio = billed.doubleValue() / dry.path("estimated_cost_usd").decimalValue().doubleValue();
            System.out.printf("dry run %s USD, billed %s USD (%.4f) for %s%n", dry.path("estimated_cost_usd").asText(), billed,
                    ratio, body);
            // the price is the submit's: the estimate may be measured again between the dry run and the submit
            assertTrue(Math.abs(ratio - 1) < 0.2, "billed " + billed + " for the dry run's " + dry);
            UUID jobId = UUID.fromString(id);
            // the upscale steps it said are those the worker's super-resolution model ran (the catalog may list others)
            assertEquals(dry.path("upscale_steps").asLong(), platform.count(
                    "select coalesce(max(steps), 0) from sample_costs where job_id = ? and stage = 'super_resolution'", jobId), dry.toString());
            long rows = job.path("params").path("num_samples").asLong() * ("full".equals(job.path("mode").asText()) ? 2 : 1);
            assertEquals(rows, platform.count("select count(*) from sample_costs where job_id = ?", jobId));
            assertEquals(rows, platform.count("select count(*) from sample_costs where job_id = ? and usd_per_step > 0"
                    + " and compute_seconds > 0 and cost_usd = round(steps * usd_per_step, 9)", jobId),
                    "every stage of every sample is billed its steps at the quoted price, and what it used is recorded");
        }
    }

    /** The dry run of {@code body} once the gateway measured both stages (it reads the model's history every 10 s). */
    private JsonNode awaitMeasuredEstimate(String body) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var dry = platform.post("/v1/jobs", body.replace("}", ",\"dry_run\":true}"));
            assertEquals(200, dry.status(), dry.raw());
            assertFalse(dry.body().path("cache_hit").asBoolean(), dry.raw());
            if (dry.body().path("cost_measured").asBoolean()) {
                return dry.body();
            }
            assertTrue(System.nanoTime() < deadline, "the estimate was measured within 60 s of a succeeded job: " + dry.raw());
            Thread.sleep(250);
        }
    }

    List<String> stages(String jobId) throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = platform.db(); var st = c.prepareStatement(
                "select stage from sample_costs where job_id = ? order by stage")) {
            st.setObject(1, UUID.fromString(jobId));
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    String dbSha(String jobId, int idx) throws Exception {
        try (var c = platform.db(); var st = c.prepareStatement("select sha256 from samples where job_id = ? and idx = ?")) {
            st.setObject(1, UUID.fromString(jobId));
            st.setInt(2, idx);
            try (var rs = st.executeQuery()) {
                assertTrue(rs.next(), "sample row exists");
                return rs.getString(1);
            }
        }
    }
}
