package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.local.EmbeddedStack;
import dev.genq.storage.job.Sha256;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A package registered through the admin API on a running platform: the worker (started with only its configured
 * packages) loads and probes it in the background, reports it, and jobs naming it run there with no restart; its
 * pictures are exactly those of the fixture whose weights it carries. Unregistering stops routing it and the worker
 * unloads it. A package whose pin does not match is refused by the worker, with why, and never routed.
 */
class ModelRegistrationTest {
    static final Duration BOUND = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();
    final Platform platform = Platform.get();

    /** tiny-base's files as model {@code name}, its model.json listing every other file's sha256; the pinned source. */
    String upload(String name) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(platform.root().resolve("models/fixtures/tiny-base"))) {
            for (Path f : all.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        ObjectNode manifest = (ObjectNode) JSON.readTree(files.get("model.json"));
        manifest.put("name", name);
        ObjectNode list = manifest.putObject("sha256");
        files.forEach((file, bytes) -> {
            if (!file.equals("model.json")) {
                list.put(file, Sha256.hex(bytes));
            }
        });
        files.put("model.json", JSON.writeValueAsBytes(manifest));
        MinioClient s3 = MinioClient.builder().endpoint(platform.stack.s3Endpoint())
                .credentials(EmbeddedStack.S3_ACCESS_KEY, EmbeddedStack.S3_SECRET_KEY).region("us-east-1").build();
        if (!s3.bucketExists(BucketExistsArgs.builder().bucket("genq-models").build())) {
            s3.makeBucket(MakeBucketArgs.builder().bucket("genq-models").build());
        }
        for (var f : files.entrySet()) {
            s3.putObject(PutObjectArgs.builder().bucket("genq-models").object(name + "/1/" + f.getKey())
                    .stream(new ByteArrayInputStream(f.getValue()), (long) f.getValue().length, -1L).build());
        }
        return "s3://genq-models/" + name + "/1#sha256=" + Sha256.hex(files.get("model.json"));
    }

    JsonNode awaitPackage(String id, Predicate<JsonNode> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            Platform.Reply r = platform.get(platform.adminKey, "/v1/admin/models/packages/" + id);
            assertEquals(200, r.status(), r.raw());
            if (done.test(r.body())) {
                return r.body();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not within " + BOUND + ": " + r.raw());
            }
            Thread.sleep(250);
        }
    }

    /** Waits until the models API lists the model (each gateway's catalog is re-read every 2 s). */
    void awaitListed(String name) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (platform.get("/v1/models/" + name).status() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " not listed by /v1/models within " + BOUND);
            }
            Thread.sleep(250);
        }
    }

    @Test
    void aRegisteredPackageServesJobsWithNoRestartAndUnregisteringStopsIt() throws Exception {
        String name = "tiny-hot-" + UUID.randomUUID().toString().substring(0, 6);
        String source = upload(name);
        assertEquals(404, platform.get("/v1/models/" + name).status());
        long t0 = System.nanoTime();
        Platform.Reply registered = platform.post(platform.adminKey, "/v1/admin/models",
                "{\"source\":\"" + source + "\",\"reason\":\"a hot package\"}");
        assertEquals(202, registered.status(), registered.raw());
        String id = registered.body().path("id").asText();
        JsonNode routable = awaitPackage(id, p -> p.path("status").asText().equals("routable"), "routable");
        System.out.printf("registered package routable after %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, routable);
        JsonNode load = routable.path("loads").get(0);
        assertEquals("loaded", load.path("status").asText(), routable.toString());
        assertEquals(name + "@1", load.path("model").asText(), routable.toString());
        assertTrue(load.path("detail").asText().startsWith("loaded and probed in"), routable.toString());

        // the models API lists it within a catalog read, and a job naming it runs on the same worker process
        awaitListed(name);
        String request = "\"prompt\":\"a red apple\",\"num_samples\":2,\"seed\":31,\"steps\":6,\"cache\":false";
        String hot = platform.submit("{" + request + ",\"model\":\"" + name + "\"}");
        JsonNode job = platform.awaitStatus(hot, "succeeded", BOUND);
        assertEquals(name + "@1", job.path("model_version").asText(), job.toString());
        // the same weights as tiny-base: the same request gives the same pictures, byte for byte
        JsonNode same = platform.awaitStatus(platform.submit("{" + request + ",\"model\":\"tiny-base\"}"), "succeeded", BOUND);
        for (int i = 0; i < 2; i++) {
            byte[] png = platform.download(job.path("samples").get(i).path("url").asText());
            Pictures.assertPicture(png, 32, "registered package sample " + i);
            byte[] base = platform.download(same.path("samples").get(i).path("url").asText());
            assertTrue(java.util.Arrays.equals(Pictures.withoutProvenance(base), Pictures.withoutProvenance(png)),
                    "sample " + i + " differs from tiny-base's: " + job + " / " + same);
        }

        // unregistering drains: a job of the version, unfinished when it is unregistered, still runs on it
        String draining = platform.submit("{\"prompt\":\"a long apple\",\"num_samples\":2,\"steps\":300,\"seed\":32,"
                + "\"cache\":false,\"model\":\"" + name + "\"}");
        Platform.Reply gone = platform.send(platform.api(platform.adminKey, "/v1/admin/models/packages/" + id).DELETE().build());
        assertEquals(200, gone.status(), gone.raw());
        assertEquals("unregistered", gone.body().path("status").asText(), gone.raw());
        OffsetDateTime unregisteredAt = OffsetDateTime.parse(gone.body().path("unregistered_at").asText());
        long deadline = System.nanoTime() + BOUND.toNanos();
        Platform.Reply refused;
        do { // each gateway's catalog is re-read every 2 s
            refused = platform.post("/v1/jobs", "{\"prompt\":\"x\",\"model\":\"" + name + "\"}");
            if (refused.status() == 202) {
                Thread.sleep(250);
            }
        } while (refused.status() == 202 && System.nanoTime() < deadline);
        assertEquals(400, refused.status(), refused.raw());
        assertEquals("unknown_model", refused.body().path("errors").path(0).path("code").asText(), refused.raw());
        JsonNode drained = platform.awaitStatus(draining, "succeeded", BOUND);
        assertEquals(name + "@1", drained.path("model_version").asText(), drained.toString());
        OffsetDateTime finishedAt = OffsetDateTime.parse(drained.path("timings").path("finished_at").asText());
        assertTrue(finishedAt.isAfter(unregisteredAt), "the job was unfinished when its version was unregistered: " + drained);
        Pictures.assertPicture(platform.download(drained.path("samples").get(0).path("url").asText()), 32, "a drained job's sample");
        JsonNode unloaded = awaitPackage(id, p -> p.path("loads").get(0).path("status").asText().equals("unloaded"), "unloaded");
        assertEquals(name + "@1", unloaded.path("loads").get(0).path("model").asText(), unloaded.toString());
        // the worker's part ends where it stores the samples (and bills them, in that transaction): moderation needs no model
        OffsetDateTime unloadedAt = OffsetDateTime.parse(unloaded.path("loads").get(0).path("updated_at").asText());
        OffsetDateTime storedAt = OffsetDateTime.parse(platform.text(
                "select to_char(max(created_at) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') from sample_costs where job_id = ?",
                UUID.fromString(draining)));
        assertTrue(unloadedAt.isAfter(storedAt), "unloaded only once the job it ran was stored: " + unloaded + " / stored " + storedAt);
    }

    /**
     * A worker that starts (a scale-out, a rolling restart) takes jobs from Kafka at once but loads the registered
     * packages in the background: a job for a registered version that reaches it first waits for the load and runs,
     * rather than failing {@code model_unavailable} for a moment's race.
     */
    @Test
    void aJobThatReachesAStartingWorkerBeforeItLoadedTheVersionWaitsForTheLoad() throws Exception {
        String name = "tiny-late-" + UUID.randomUUID().toString().substring(0, 6);
        Platform.Reply registered = platform.post(platform.adminKey, "/v1/admin/models",
                "{\"source\":\"" + upload(name) + "\",\"reason\":\"loaded again by a new worker\"}");
        assertEquals(202, registered.status(), registered.raw());
        awaitPackage(registered.body().path("id").asText(), p -> p.path("status").asText().equals("routable"), "routable");
        awaitListed(name);

        platform.stop(Platform.WORKER);
        // accepted while no worker runs: the job waits in Kafka for the next one
        String id = platform.submit("{\"prompt\":\"a red apple\",\"num_samples\":1,\"seed\":32,\"steps\":4,\"cache\":false,\"model\":\"" + name + "\"}");
        platform.restart(Platform.WORKER);
        JsonNode job = platform.awaitJob(id, BOUND, j -> !j.path("status").asText().matches("queued|running|moderating"));
        assertEquals("succeeded", job.path("status").asText(), job.toString());
        assertEquals(name + "@1", job.path("model_version").asText(), job.toString());
        Pictures.assertPicture(platform.download(job.path("samples").get(0).path("url").asText()), 32, "the late-loaded version's sample");
    }

    @Test
    void aPackageWhoseFilesDoNotMatchItsPinIsRefusedWithWhyAndNeverRouted() throws Exception {
        String name = "tiny-pin-" + UUID.randomUUID().toString().substring(0, 6);
        String source = upload(name);
        String wrongPin = source.substring(0, source.indexOf("#sha256=") + 8) + "0".repeat(64);
        Platform.Reply registered = platform.post(platform.adminKey, "/v1/admin/models", "{\"source\":\"" + wrongPin + "\"}");
        assertEquals(202, registered.status(), registered.raw());
        JsonNode refused = awaitPackage(registered.body().path("id").asText(),
                p -> p.path("status").asText().equals("refused"), "refused");
        assertTrue(refused.path("loads").get(0).path("detail").asText().contains("the location pins"), refused.toString());
        assertEquals(404, platform.get("/v1/models/" + name).status());

        Platform.Reply local = platform.post(platform.adminKey, "/v1/admin/models", "{\"source\":\"/etc\"}");
        assertEquals(400, local.status(), local.raw());
        assertEquals("source_invalid", local.body().path("code").asText(), local.raw());
        Platform.Reply notAdmin = platform.post("/v1/admin/models", "{\"source\":\"" + source + "\"}");
        assertEquals(403, notAdmin.status(), notAdmin.raw());
    }
}
