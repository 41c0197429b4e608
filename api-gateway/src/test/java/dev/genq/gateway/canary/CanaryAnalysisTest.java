package dev.genq.gateway.canary;

import static dev.genq.gateway.TestKeys.as;
import static dev.genq.gateway.TestKeys.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.gateway.TestKeys;
import dev.genq.gateway.canary.CanaryVerdict.Decision;
import dev.genq.gateway.metrics.GatewayMeters;
import dev.genq.gateway.webhook.WebhookDeliveries;
import dev.genq.gateway.webhook.WebhookDispatcher;
import dev.genq.gateway.webhook.WebhookReceiver;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelRollout;
import dev.genq.storage.model.Rollouts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Automatic canary analysis against Postgres: a canary whose jobs fail is rolled back after exactly the bound of its
 * bad jobs, an equal one is promoted once both versions have min-jobs, each decision is in the rollout history with
 * its statistics and reaches the operator as a signed webhook, and the operator always wins (analysis held off, or a
 * change that lands while the analysis decides). Job outcomes are written straight into Postgres here, so the counts
 * are exact; {@code CanaryAnalysisSystemTest} runs real canaries on a real worker.
 */
@QuarkusTest
class CanaryAnalysisTest {
    final EntityManager em;
    final Rollouts rollouts;
    final CanaryWindow window;
    final WebhookDeliveries deliveries;
    final WebhookDispatcher dispatcher;
    final ObjectMapper json;
    final GatewayMeters meters;
    /** The jobs written here belong to a tenant of their own, so no other test's usage or queue sees them. */
    static final UUID TENANT = UUID.randomUUID();

    CanaryAnalysisTest(EntityManager em, Rollouts rollouts, CanaryWindow window, WebhookDeliveries deliveries,
                       WebhookDispatcher dispatcher, ObjectMapper json, GatewayMeters meters) {
        this.meters = meters;
        this.em = em;
        this.rollouts = rollouts;
        this.window = window;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.json = json;
    }

    CanaryAnalyzer analyzer(int minJobs, String webhookUrl) {
        return new CanaryAnalyzer(rollouts, window, CanaryJudgeTest.settings(minJobs, webhookUrl), deliveries, dispatcher, json, meters);
    }

    /**
     * Models with versions 1 and 2, registered all at once on first use: the gateway's catalog lists new models within
     * its refresh period, so one wait serves every test here.
     */
    static final java.util.Deque<String> MODELS = new java.util.ArrayDeque<>();

    static synchronized String registeredModel() {
        if (MODELS.isEmpty()) {
            List<String> names = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(i -> "canary-" + UUID.randomUUID().toString().substring(0, 8)).toList();
            QuarkusTransaction.requiringNew().run(() -> names.forEach(model -> List.of("1", "2").forEach(version ->
                    ModelEntry.register(model, version, Stage.BASE.modelKind(), 32, 100, List.of("ddim"), 4, 3.0, "ddim", "MIT"))));
            MODELS.addAll(names);
        }
        return MODELS.poll();
    }

    /** A model with stable 1 and canary 2 at {@code share}, its window open a minute ago. */
    String canaryAt(double share, boolean analysis) throws InterruptedException {
        String model = registeredModel();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) { // the gateway's catalog lists a registered model within its refresh period
            var r = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("stable_version", "1", "canary_version", "2",
                    "canary_share", share, "reason", "try 2", "canary_analysis", analysis)).when().put("/v1/admin/models/" + model + "/rollout");
            if (r.statusCode() == 200) {
                break;
            }
            assertTrue(r.statusCode() == 404 && System.nanoTime() < deadline, "rollout refused: " + r.asString());
            Thread.sleep(200);
        }
        // the window starts SNAPSHOT_AGE after the change; these jobs are written with outcomes at once
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                update model_rollout_changes set changed_at = changed_at - interval '1 minute'
                where id = (select max(id) from model_rollout_changes where model = ?1)""").setParameter(1, model).executeUpdate());
        return model;
    }

    /** A settled job of the model pinned to {@code version}, as a worker and moderation would have left it. */
    UUID job(String model, String version, String status) {
        UUID id = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model,
                                  pinned_version, model_version)
                values (?1, ?2, ?3, 'preview', 'a canary', 1, 7, 4, 3.0, 'ddim', ?4, ?5, ?4 || '@' || ?5)""")
                .setParameter(1, id).setParameter(2, TENANT).setParameter(3, status).setParameter(4, model)
                .setParameter(5, version).executeUpdate());
        return id;
    }

    /** One released sample of a job, with its quality verdict and its billed base stage. */
    void sample(UUID job, String status, boolean qualityPassed, double adherence, double computeSeconds) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("""
                    insert into samples (job_id, idx, tenant_id, status, seed, width, height, object_key, size_bytes, sha256, quality)
                    values (?1, 0, ?2, ?3, 7, 32, 32, 'k', 10, 'x', ?4)""")
                    .setParameter(1, job).setParameter(2, TENANT).setParameter(3, status)
                    .setParameter(4, "{\"passed\":" + qualityPassed + ",\"score\":" + adherence + "}").executeUpdate();
            em.createNativeQuery("""
                    insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                              device_class, price_per_device_hour, cost_usd)
                    values (?1, 0, 'base', ?2, 'm', 4, ?3, 'cpu', 1, 0.001)""")
                    .setParameter(1, job).setParameter(2, TENANT).setParameter(3, computeSeconds).executeUpdate();
        });
    }

    Rollouts.Watched watched(String model) {
        return QuarkusTransaction.requiringNew().call(rollouts::watched).stream().filter(w -> w.model().equals(model))
                .findFirst().orElseThrow();
    }

    CanaryAnalyzer.Outcome analyzeOnce(CanaryAnalyzer analyzer, String model) {
        return analyzer.analyze().stream().filter(o -> o.watched().model().equals(model)).findFirst().orElseThrow();
    }

    static JsonPath rollout(String model) {
        return as(TestKeys.ADMIN).when().get("/v1/admin/models/" + model + "/rollout").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aCanaryWhoseJobsFailIsRolledBackAtTheBoundWithItsStatisticsAndTheOperatorHearsOfIt() throws Exception {
        try (WebhookReceiver operator = new WebhookReceiver()) {
            String model = canaryAt(0.5, true);
            CanaryAnalyzer analyzer = analyzer(1000, operator.url());
            long bound = new BadJobSprt(0.5, 3, 0.01 / 4).badJobsToReject();
            double rollbacksBefore = meters.canaryDecisions("roll_back").count();
            for (int i = 1; i <= bound; i++) {
                job(model, "2", "failed");
                job(model, "1", "succeeded");
                CanaryAnalyzer.Outcome o = analyzeOnce(analyzer, model);
                if (i < bound) {
                    assertEquals(Decision.WAIT, o.verdict().decision(), i + " failed canary jobs: " + o.verdict().reason());
                } else {
                    assertEquals(Decision.ROLL_BACK, o.verdict().decision(), i + " failed canary jobs");
                    assertTrue(o.change().isPresent(), "the rollback was written");
                }
            }
            assertEquals(rollbacksBefore + 1, meters.canaryDecisions("roll_back").count(), "genq_canary_decisions_total counts it");
            assertFalse(QuarkusTransaction.requiringNew().call(rollouts::watched).stream().anyMatch(w -> w.model().equals(model)),
                    "a rolled-back canary is no longer watched");

            JsonPath r = rollout(model);
            assertEquals("1", r.getString("stable_version"));
            assertEquals("2", r.getString("canary_version"));
            assertEquals(0f, r.getFloat("canary_share"), "rolled back: the canary keeps its name at share 0");
            assertEquals("canary-analysis", r.getString("history[0].changed_by"));
            assertEquals("regression in failure (canary 15 of 15 jobs, stable 0 of 15)", r.getString("history[0].reason"));
            assertEquals("roll_back", r.getString("history[0].statistics.decision"));
            assertEquals(15, r.getInt("history[0].statistics.canary.failed"));
            assertEquals(15, r.getInt("history[0].statistics.stable.jobs"));
            assertEquals("failure", r.getString("history[0].statistics.metrics[0].metric"));
            assertTrue(r.getBoolean("history[0].statistics.metrics[0].regression"));
            assertTrue(r.getDouble("history[0].statistics.metrics[0].log_likelihood_ratio") >= r.getDouble("history[0].statistics.metrics[0].bound"));
            assertNull(r.get("history[1].statistics"), "the operator's change has no statistics");

            List<WebhookReceiver.Received> got = operator.await(1, x -> true, Duration.ofSeconds(30));
            JsonNode body = json.readTree(got.get(0).body());
            assertEquals(CanaryAnalyzer.ROLLED_BACK, body.path("type").asText());
            assertEquals(model, body.path("data").path("model").asText());
            assertEquals(r.getLong("history[0].id"), body.path("data").path("change_id").asLong());
            assertEquals(15, body.path("data").path("statistics").path("canary").path("failed").asInt());
            assertTrue(signedWith(operatorSecret(), got.get(0)), "signed with the operator tenant's secret: " + got.get(0).headers());

            assertTrue(analyzeOnceIfWatched(analyzer, model).isEmpty(), "nothing more is decided about it");
        }
    }

    Optional<CanaryAnalyzer.Outcome> analyzeOnceIfWatched(CanaryAnalyzer analyzer, String model) {
        return analyzer.analyze().stream().filter(o -> o.watched().model().equals(model)).findFirst();
    }

    @Test
    void anEqualCanaryIsPromotedOnceBothVersionsHaveMinJobs() throws Exception {
        String model = canaryAt(0.25, true);
        CanaryAnalyzer analyzer = analyzer(10, null);
        for (int i = 0; i < 10; i++) {
            job(model, "1", "succeeded");
            job(model, "1", "succeeded");
            job(model, "1", "failed"); // stable's own failures weigh for the canary
            if (i < 9) {
                job(model, "2", "succeeded");
            }
        }
        CanaryAnalyzer.Outcome early = analyzeOnce(analyzer, model);
        assertEquals(Decision.WAIT, early.verdict().decision());
        assertEquals("9 of 10 settled jobs per version so far", early.verdict().reason());
        job(model, "2", "succeeded");
        CanaryAnalyzer.Outcome promoted = analyzeOnce(analyzer, model);
        assertEquals(Decision.PROMOTE, promoted.verdict().decision(), promoted.verdict().reason());
        JsonPath r = rollout(model);
        assertEquals("2", r.getString("stable_version"), "the canary is stable now");
        assertNull(r.getString("canary_version"));
        assertEquals("canary-analysis", r.getString("history[0].changed_by"));
        assertEquals("no regression in 10 canary and 30 stable jobs", r.getString("history[0].reason"));
        assertEquals(-10 * Math.log(1 + 0.25 * 2), r.getDouble("history[0].statistics.metrics[0].log_likelihood_ratio"), 1e-6);
    }

    @Test
    void theWindowCountsEachJobOncePerMetricAndMeasuresLatencyAgainstStablesMedian() throws InterruptedException {
        String model = canaryAt(0.5, true);
        for (double seconds : new double[] {0.04, 0.04, 0.05}) { // stable: 10, 10, 12.5 ms per step; median 10
            sample(job(model, "1", "succeeded"), "released", true, 0.30, seconds);
        }
        sample(job(model, "2", "needs_review"), "quarantined", true, 0.20, 0.04);
        sample(job(model, "2", "succeeded"), "released", false, 0.10, 0.12); // 30 ms per step: slow at factor 2
        sample(job(model, "2", "succeeded"), "failed_quality", false, 0.0, 0.04);
        job(model, "2", "canceled"); // not settled by the model: left out
        job(model, "2", "moderating"); // not settled yet: left out
        CanaryWindow.Outcomes o = QuarkusTransaction.requiringNew().call(() -> window.read(watched(model), 2));
        assertEquals(round(new VersionOutcomes(3, 0, 0, 0, 0, 3, 0.30, 32.5 / 3)), round(o.stable()));
        assertEquals(round(new VersionOutcomes(3, 0, 1, 2, 1, 3, 0.10, 50.0 / 3)), round(o.canary()),
                "one held back, two poor (one blank, one low adherence), one slow (30 ms against stable's median 10)");
        assertEquals(10.0, o.stableMedianMsPerStep(), 1e-9);
    }

    static VersionOutcomes round(VersionOutcomes v) {
        return new VersionOutcomes(v.jobs(), v.failed(), v.flagged(), v.poorQuality(), v.slow(), v.timed(),
                Math.round(v.adherence() * 1e6) / 1e6, Math.round(v.msPerStep() * 1e6) / 1e6);
    }

    @Test
    void theOperatorAlwaysWins() throws InterruptedException {
        // analysis held off: a failing canary keeps its share
        String held = canaryAt(0.5, false);
        for (int i = 0; i < 20; i++) {
            job(held, "2", "failed");
        }
        CanaryAnalyzer analyzer = analyzer(1, null);
        assertTrue(analyzeOnceIfWatched(analyzer, held).isEmpty(), "canary_analysis false: not watched");
        assertEquals(0.5f, rollout(held).getFloat("canary_share"));
        assertFalse(rollout(held).getBoolean("canary_analysis"));

        // a change that lands while the analysis decides wins: the decision is not written
        String model = canaryAt(0.5, true);
        Rollouts.Watched seen = watched(model);
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("stable_version", "1", "canary_version", "2",
                "canary_share", 0.1, "reason", "smaller")).when().put("/v1/admin/models/" + model + "/rollout").then().statusCode(200);
        Optional<Long> written = QuarkusTransaction.requiringNew().call(() ->
                rollouts.decide(seen, new ModelRollout.Entry("2", null, 0), "stale", "{}"));
        assertTrue(written.isEmpty(), "the analysis' decision on a window the operator closed is dropped");
        rollouts.forget();
        JsonPath r = rollout(model);
        assertEquals(0.1f, r.getFloat("canary_share"));
        assertEquals("smaller", r.getString("history[0].reason"));
    }

    static String operatorSecret() {
        return given().when().get("/v1/webhooks/secret").then().statusCode(200).extract().path("secret");
    }

    /** Standard Webhooks: HMAC-SHA256 over "id.timestamp.body" with the secret's bytes, base64, as "v1,...". */
    static boolean signedWith(String secret, WebhookReceiver.Received received) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String signed = received.headers().get("webhook-id") + "." + received.headers().get("webhook-timestamp") + "." + received.body();
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        return List.of(received.headers().get("webhook-signature").split(" ")).contains(expected);
    }
}
