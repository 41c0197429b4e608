package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model rollout, seeded from the gateway's configuration into Postgres: with a stable and a canary version of
 * the same model loaded, the gateway pins each job to one of them by the canary share, the worker runs exactly
 * the pinned version, and the job and its cost rows record it; setting the share to 0 through the admin API
 * (a rollback, no restart) sends every new job to stable, and the rollout's history records both changes.
 */
class CanaryRolloutTest {
    final Platform platform = Platform.get();

    @Test
    @Timeout(400)
    void theCanaryTakesItsShareAndEveryJobRecordsTheVersionItRan() throws IOException {
        Path canary = canaryPackage();
        Map<String, String> rollout = Map.of("genq.rollout.stable", "tiny-base@1", "genq.rollout.canary", "tiny-base@2",
                "genq.rollout.canary-share", "0.5");
        Map<String, String> worker = new HashMap<>(); // workers read the rollout from Postgres
        worker.put("genq.worker.model-paths", String.join(",", platform.root().resolve("models/fixtures/tiny-base").toString(),
                canary.toString(), platform.root().resolve("models/fixtures/tiny-sr").toString()));
        try {
            platform.restartWith(Platform.WORKER, worker); // registers tiny-base@2 next to @1
            platform.restartWith(Platform.GATEWAY, rollout);
            var model = platform.get("/v1/models/tiny-base");
            assertEquals(200, model.status(), model.raw());
            assertEquals("1", model.body().path("stable_version").asText(), model.raw());
            assertEquals("2", model.body().path("canary_version").asText(), model.raw());
            assertEquals(0.5, model.body().path("canary_share").asDouble(), model.raw());
            Map<String, String> labels = new HashMap<>();
            model.body().path("versions").forEach(v -> labels.put(v.path("version").asText(), v.path("rollout").asText()));
            assertEquals(Map.of("1", "stable", "2", "canary"), labels, "GET /v1/models labels the rollout");

            Map<String, Integer> ran = runJobs(24);
            assertTrue(ran.getOrDefault("1", 0) > 0 && ran.getOrDefault("2", 0) > 0,
                    "24 jobs at a share of 0.5 ran on both versions: " + ran);

            // roll back through the admin API, nothing restarted; the workers keep serving both versions
            var rolledBack = platform.send(platform.api(platform.adminKey, "/v1/admin/models/tiny-base/rollout")
                    .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"stable_version\":\"1\",\"canary_version\":\"2\",\"canary_share\":0,\"reason\":\"roll back\"}"))
                    .build());
            assertEquals(200, rolledBack.status(), rolledBack.raw());
            assertEquals(Map.of("1", 8), runJobs(8), "after the rollback every new job runs stable");
            var history = platform.get(platform.adminKey, "/v1/admin/models/tiny-base/rollout").body().path("history");
            assertEquals("roll back", history.path(0).path("reason").asText(), history.toString());
            assertEquals("configuration", history.path(1).path("changed_by").asText(), history.toString());
        } finally {
            platform.restartWith(Platform.GATEWAY, Map.of());
            platform.restartWith(Platform.WORKER, Map.of());
        }
    }

    /** Submits n one-step jobs, waits for all, checks each ran and billed its pinned version; counts per version. */
    private Map<String, Integer> runJobs(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(platform.submit("{\"prompt\":\"a canary " + i + "\",\"steps\":1}"));
        }
        Map<String, Integer> versions = new HashMap<>();
        for (String id : ids) {
            var job = platform.awaitStatus(id, "succeeded", Duration.ofSeconds(90));
            String pinned = platform.text("select pinned_version from jobs where id = ?", UUID.fromString(id));
            assertEquals("tiny-base@" + pinned, job.path("model_version").asText(), "job " + id + " ran its pinned version");
            assertEquals("tiny-base@" + pinned, platform.text("select string_agg(distinct model_version, ',') from sample_costs where job_id = ?",
                    UUID.fromString(id)), "job " + id + " was billed for its pinned version");
            versions.merge(pinned, 1, Integer::sum);
        }
        return versions;
    }

    /** The fixture base model as version 2 (same weights: what matters here is which version runs). */
    private Path canaryPackage() throws IOException {
        Path source = platform.root().resolve("models/fixtures/tiny-base");
        Path target = platform.root().resolve("system-tests/target/canary/tiny-base-2");
        Files.createDirectories(target);
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path json = target.resolve("model.json");
        String spec = Files.readString(json);
        String changed = spec.replaceFirst("\"version\"\\s*:\\s*\"1\"", "\"version\": \"2\"");
        assertTrue(!changed.equals(spec), "the fixture's version field moved");
        Files.writeString(json, changed);
        return target;
    }
}
