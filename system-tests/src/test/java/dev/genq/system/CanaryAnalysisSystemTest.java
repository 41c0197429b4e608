package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Automatic canary analysis on real services: a canary built to fail (tiny-flat's weights as tiny-base@3: every
 * sample a flat grey, so every job fails its quality check) is rolled back by the gateway within a bounded number of
 * its jobs, with nothing restarted; then a canary equal to stable (tiny-base@2, the same weights) is promoted once
 * both versions have min-jobs settled jobs. Each decision is in the rollout history with its statistics and reaches
 * the operator's webhook.
 */
class CanaryAnalysisSystemTest {
    static final Duration JOB = Duration.ofSeconds(90);
    static final int MIN_JOBS = 10;
    /** ln(1/(0.01/4)) / (ln 3 - ln 2): bad canary jobs in a row the analysis needs at share 0.5 (BadJobSprtTest). */
    static final int BAD_JOBS_TO_REJECT = 15;
    final Platform platform = Platform.get();

    @Test
    @Timeout(600)
    void aBrokenCanaryIsRolledBackAndAnEqualOneIsPromotedWithoutARestart() throws Exception {
        Path equal = asVersion("tiny-base", "2");
        Path blank = asVersion("tiny-flat", "3");
        try (WebhooksTest.Receiver operator = new WebhooksTest.Receiver(0)) {
            platform.restartWith(Platform.WORKER, Map.of("genq.worker.model-paths", String.join(",",
                            platform.root().resolve("models/fixtures/tiny-base").toString(), equal.toString(), blank.toString(),
                            platform.root().resolve("models/fixtures/tiny-sr").toString()),
                    "genq.worker.unprobed-packages", "tiny-base")); // @3 has no probe (and would fail one)
            platform.restartWith(Platform.GATEWAY, Map.of("genq.rollout.stable", "tiny-base@1", "genq.rollout.canary", "tiny-base@3",
                    "genq.rollout.canary-share", "0.5", "genq.canary-analysis.interval", "PT0.5S",
                    "genq.canary-analysis.min-jobs", Integer.toString(MIN_JOBS), "genq.canary-analysis.webhook-url", operator.url()));

            // one job at a time, each awaited, until the canary has had exactly the bound of bad jobs; no decision before
            awaitWindowOpen();
            Map<String, Integer> ran = new HashMap<>();
            for (int i = 0; ran.getOrDefault("3", 0) < BAD_JOBS_TO_REJECT; i++) {
                assertTrue(i < 120, "fewer than " + BAD_JOBS_TO_REJECT + " canary jobs in 120: " + ran);
                assertEquals(0.5, rollout().path("canary_share").asDouble(), "rolled back after only " + ran);
                ran.merge(runJob("a broken canary " + i), 1, Integer::sum);
            }
            // the next round (every 0.5 s) rolls it back; nothing more is submitted meanwhile
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (rollout().path("canary_share").asDouble() > 0) {
                assertTrue(System.nanoTime() < deadline, "not rolled back within 60 s of " + ran + ": " + rollout());
                Platform.sleep(100);
            }
            JsonNode rolledBack = rollout();
            JsonNode decision = rolledBack.path("history").path(0);
            assertEquals("canary-analysis", decision.path("changed_by").asText(), rolledBack.toString());
            assertEquals("roll_back", decision.path("statistics").path("decision").asText());
            // every job of the grey canary failed its quality check (not a picture); tiny-base's own pictures pass as
            // pictures but the emoji judge finds them unlike their prompts (low adherence), so quality is not the tell here
            assertTrue(decision.path("reason").asText().startsWith("regression in failure (canary 15 of 15 jobs, stable 0 of "),
                    decision.toString());
            assertEquals(BAD_JOBS_TO_REJECT, decision.path("statistics").path("canary").path("jobs").asLong(), decision.toString());
            assertEquals(BAD_JOBS_TO_REJECT, decision.path("statistics").path("canary").path("poor_quality").asLong(),
                    "every canary job was a flat grey");
            assertEquals(0, decision.path("statistics").path("stable").path("failed").asLong());
            System.out.printf("canary analysis: the blank canary was rolled back after %d of its jobs, %s (%s)%n",
                    BAD_JOBS_TO_REJECT, ran, decision.path("reason").asText());
            for (int i = 0; i < 4; i++) {
                assertEquals("1", runJob("after the rollback " + i), "rolled back: new jobs run stable");
            }

            // an equal canary, set through the admin API: promoted once both versions have MIN_JOBS settled jobs
            var put = platform.send(platform.api(platform.adminKey, "/v1/admin/models/tiny-base/rollout")
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                            "{\"stable_version\":\"1\",\"canary_version\":\"2\",\"canary_share\":0.5,\"reason\":\"try 2\"}")).build());
            assertEquals(200, put.status(), put.raw());
            awaitWindowOpen();
            int submitted = 0;
            while (rollout().path("canary_version").isTextual()) {
                assertTrue(submitted < 160, "not promoted after 160 jobs: " + rollout());
                List<String> wave = new ArrayList<>();
                for (int i = 0; i < 4; i++, submitted++) {
                    wave.add(platform.submit("{\"prompt\":\"an equal canary " + submitted + "\",\"steps\":1}"));
                }
                wave.forEach(id -> platform.awaitStatus(id, "succeeded", JOB));
            }
            JsonNode promoted = rollout();
            assertEquals("2", promoted.path("stable_version").asText(), promoted.toString());
            JsonNode promotion = promoted.path("history").path(0);
            assertEquals("canary-analysis", promotion.path("changed_by").asText());
            assertTrue(promotion.path("reason").asText().startsWith("no regression in "), promotion.toString());
            assertTrue(promotion.path("statistics").path("canary").path("jobs").asLong() >= MIN_JOBS);
            System.out.printf("canary analysis: the equal canary was promoted after %d jobs (%s)%n", submitted,
                    promotion.path("reason").asText());
            assertEquals("2", runJob("after the promotion"), "promoted: new jobs run version 2");

            List<String[]> got = operator.awaitCount(2);
            assertEquals(List.of("model.canary.rolled_back", "model.canary.promoted"), got.stream().map(g -> g[0]).toList());
            JsonNode notice = Platform.JSON.readTree(got.get(0)[2]).path("data");
            assertEquals(decision.path("id").asLong(), notice.path("change_id").asLong());
            assertEquals("3", notice.path("canary_version").asText());
        } finally {
            platform.restartWith(Platform.GATEWAY, Map.of()); // configuration no longer names tiny-base: its rollout is cleared
            platform.restartWith(Platform.WORKER, Map.of());
        }
    }

    /** The rollout as the admin API shows it now. */
    private JsonNode rollout() {
        var r = platform.get(platform.adminKey, "/v1/admin/models/tiny-base/rollout");
        assertEquals(200, r.status(), r.raw());
        return r.body();
    }

    /** Waits (bounded) until jobs submitted now fall in the window: created 2 s (the rollout snapshot's age) after the last change. */
    private void awaitWindowOpen() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (platform.count("""
                select count(*) from model_rollout_changes where model = 'tiny-base'
                  and id = (select max(id) from model_rollout_changes where model = 'tiny-base')
                  and changed_at + interval '2.1 seconds' > now()""") > 0) {
            assertTrue(System.nanoTime() < deadline, "the window did not open within 30 s");
            Platform.sleep(100);
        }
    }

    /**
     * Submits a six-step job, waits until it settles, and returns the version it was pinned to. Six steps, as in
     * OutputIntegrityTest: tiny-flat's grey is its x0 prediction, which one step leaves mixed with noise.
     */
    private String runJob(String prompt) {
        String id = platform.submit("{\"prompt\":\"" + prompt + "\",\"steps\":6}");
        platform.awaitJob(id, JOB, job -> job.path("status").asText().matches("succeeded|failed|rejected|needs_review"));
        return platform.text("select pinned_version from jobs where id = ?", UUID.fromString(id));
    }

    /** A fixture package under tiny-base's name as {@code version}. */
    private Path asVersion(String fixture, String version) throws IOException {
        Path source = platform.root().resolve("models/fixtures/" + fixture);
        Path target = platform.root().resolve("system-tests/target/canary-analysis/tiny-base-" + version);
        Files.createDirectories(target);
        try (var files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path json = target.resolve("model.json");
        String spec = Files.readString(json);
        String changed = spec.replaceFirst("\"version\"\\s*:\\s*\"1\"", "\"version\": \"" + version + "\"")
                .replaceFirst("\"name\"\\s*:\\s*\"[^\"]+\"", "\"name\": \"tiny-base\"");
        assertTrue(changed.contains("\"version\": \"" + version + "\"") && changed.contains("\"name\": \"tiny-base\""), changed);
        Files.writeString(json, changed);
        return target;
    }
}
