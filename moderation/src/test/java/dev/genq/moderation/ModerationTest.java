package dev.genq.moderation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures.Tenancy;
import dev.genq.moderation.release.SampleModerator;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleCost;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.JobEvent;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.outbox.OutboxMessage;
import dev.genq.storage.review.ReviewItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.persistence.EntityManager;
import java.awt.Color;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ModerationTest {
    final ModerationFixtures fixtures;
    final SampleModerator moderator;
    final EntityManager em;
    final io.micrometer.core.instrument.MeterRegistry metrics;
    final dev.genq.storage.messaging.KafkaClients kafka;

    ModerationTest(ModerationFixtures fixtures, SampleModerator moderator, EntityManager em,
                   io.micrometer.core.instrument.MeterRegistry metrics, dev.genq.storage.messaging.KafkaClients kafka) {
        this.kafka = kafka;
        this.fixtures = fixtures;
        this.moderator = moderator;
        this.em = em;
        this.metrics = metrics;
    }

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    static JobStatus jobStatus(UUID job) {
        return QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(job).status);
    }

    static Sample sample(SampleGenerated e) {
        return QuarkusTransaction.requiringNew().call(() -> Sample.<Sample>findById(new SampleId(e.jobId(), e.idx())));
    }

    static List<String> events(UUID job) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.<OutboxMessage>list("messageKey = ?1 and topic = ?2 order by id",
                job.toString(), "genq.job-events").stream()
                .map(m -> EventCodec.decode(m.payload, JobEvent.class))
                .map(ev -> ev.type() + (ev.sample() == null ? "" : ":" + ev.sample())).toList());
    }

    String itemFor(Tenancy t, SampleGenerated e) {
        return as(t.reviewerKey()).when().get("/v1/reviews").then().statusCode(200).extract().jsonPath()
                .getList("data.findAll { it.job_id == '" + e.jobId() + "' }.id", String.class).get(0);
    }

    @Test
    void aCleanSampleIsReleasedAndTheJobSucceeds() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a red apple", ModerationFixtures.GREY).get(0);
        moderator.handle(e);
        assertEquals(SampleStatus.RELEASED, sample(e).status);
        assertTrue(fixtures.exists(Buckets.OUTPUTS, e));
        assertFalse(fixtures.exists(Buckets.PENDING, e));
        assertEquals(JobStatus.SUCCEEDED, jobStatus(e.jobId()));
        assertEquals(List.of("sample.released:0", "job.succeeded"), events(e.jobId()));
        assertTrue(sample(e).moderation.contains("\"flagged\":[]"), sample(e).moderation);
    }

    @Test
    void aJobOfBlankSamplesFailsWithQualityFailedAndNothingIsReleasedOrBilled() {
        Tenancy t = fixtures.tenant();
        List<SampleGenerated> es = fixtures.job(t.tenant(), "a red apple", ModerationFixtures.png(Color.BLACK),
                ModerationFixtures.png(ModerationFixtures.GREY));
        es.forEach(this::cost);
        es.forEach(moderator::handle);
        for (SampleGenerated e : es) {
            assertEquals(SampleStatus.FAILED_QUALITY, sample(e).status);
            assertFalse(fixtures.exists(Buckets.OUTPUTS, e), "a blank is never released");
            assertFalse(fixtures.exists(Buckets.QUARANTINE, e));
            assertFalse(fixtures.exists(Buckets.PENDING, e));
            assertTrue(sample(e).quality.contains("\"reasons\":[\"too_few_colours\",\"no_contrast\"]"), sample(e).quality);
            assertFalse(billable(e), "not a picture, not billed");
        }
        Job job = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(es.get(0).jobId()));
        assertEquals(JobStatus.FAILED, job.status);
        assertEquals("quality_failed", job.errorCode);
        assertEquals(List.of("job.failed"), events(es.get(0).jobId()));
    }

    @Test
    void aJobWithOnePictureSucceedsAndOnlyThePictureIsBilled() {
        Tenancy t = fixtures.tenant();
        List<SampleGenerated> es = fixtures.job(t.tenant(), "a red apple", ModerationFixtures.png(Color.BLACK),
                ModerationFixtures.picture(ModerationFixtures.GREY));
        es.forEach(this::cost);
        es.forEach(moderator::handle);
        assertEquals(SampleStatus.FAILED_QUALITY, sample(es.get(0)).status);
        assertEquals(SampleStatus.RELEASED, sample(es.get(1)).status);
        // a picture: judged for adherence (a grey disk is no red apple: flagged, still released)
        String quality = sample(es.get(1)).quality;
        assertFalse(quality.contains("too_few_colours") || quality.contains("no_contrast"), quality);
        assertTrue(quality.contains("\"score\":") && quality.contains("\"judge\":\"emoji-judge@"), quality);
        assertFalse(billable(es.get(0)));
        assertTrue(billable(es.get(1)));
        assertEquals(JobStatus.SUCCEEDED, jobStatus(es.get(0).jobId()));
        assertEquals(List.of("sample.released:1", "job.succeeded"), events(es.get(0).jobId()));
    }

    @Test
    void aRedeliveredSampleIsCountedOnce() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a counted apple", ModerationFixtures.GREY).get(0);
        double before = metrics.counter("genq.quality.checked", "model_version", "unknown").count();
        moderator.handle(e);
        moderator.handle(e); // Kafka redelivers after a crash before the offset commit
        assertEquals(before + 1, metrics.counter("genq.quality.checked", "model_version", "unknown").count());
        assertEquals(SampleStatus.RELEASED, sample(e).status);
    }

    @Test
    void aJobRecordsHowDifferentItsSamplesAre() {
        Tenancy t = fixtures.tenant();
        byte[] disk = ModerationFixtures.picture(Color.ORANGE);
        List<SampleGenerated> collapsed = fixtures.job(t.tenant(), "an orange", disk, disk, disk, disk);
        collapsed.forEach(moderator::handle);
        List<SampleGenerated> varied = fixtures.job(t.tenant(), "an orange", ModerationFixtures.picture(Color.ORANGE),
                ModerationFixtures.picture(Color.BLUE), ModerationFixtures.picture(new Color(40, 160, 40)));
        varied.forEach(moderator::handle);
        Double same = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(collapsed.get(0).jobId()).diversity);
        Double different = QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(varied.get(0).jobId()).diversity);
        assertEquals(0.0, same, 1e-4, "four identical samples: a collapsed model");
        assertTrue(different > 0.05, "three different pictures: " + different);
        assertNotNull(sample(varied.get(0)).features);
    }

    @Test
    void aSampleThatAlwaysFailsIsParkedAndTheRestOfItsPartitionIsModerated() throws Exception {
        Tenancy t = fixtures.tenant();
        List<SampleGenerated> es = fixtures.job(t.tenant(), "a poisoned batch", Color.ORANGE, Color.BLUE, new Color(40, 160, 40));
        es.forEach(this::cost);
        fixtures.removePending(es.get(0)); // its image is gone: every attempt fails, and no outage explains it
        double parkedBefore = metrics.counter("genq.samples.parked").count();
        try (var producer = kafka.producer("moderation-test")) {
            for (SampleGenerated e : es) { // one job, one key: one partition, the poison first
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(dev.genq.storage.messaging.Topics.SAMPLES_GENERATED,
                        e.jobId().toString(), EventCodec.encode(e))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        while (sample(es.get(0)).status == SampleStatus.PENDING || sample(es.get(2)).status == SampleStatus.PENDING) {
            assertTrue(System.nanoTime() < deadline, "not decided in 90 s: " + es.stream().map(e -> sample(e).status).toList());
            Thread.sleep(100);
        }
        assertEquals(SampleStatus.PARKED, sample(es.get(0)).status);
        assertTrue(sample(es.get(0)).moderation.contains("failed 3 times"), sample(es.get(0)).moderation);
        assertFalse(billable(es.get(0)), "a parked sample is not billed");
        assertEquals(SampleStatus.RELEASED, sample(es.get(1)).status);
        assertEquals(SampleStatus.RELEASED, sample(es.get(2)).status);
        assertTrue(billable(es.get(1)));
        assertEquals(JobStatus.SUCCEEDED, jobStatus(es.get(0).jobId()));
        assertEquals(parkedBefore + 1, metrics.counter("genq.samples.parked").count());
    }

    /** The cost row the worker wrote for the sample's base stage. */
    void cost(SampleGenerated e) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                          device_class, price_per_device_hour, cost_usd)
                values (?1, ?2, 'base', ?3, 'tiny-base@1', 1, 0.5, 'cpu', 0.10, 0.0000139)""")
                .setParameter(1, e.jobId()).setParameter(2, e.idx()).setParameter(3, e.tenantId()).executeUpdate());
    }

    static boolean billable(SampleGenerated e) {
        return QuarkusTransaction.requiringNew().call(() -> SampleCost.<SampleCost>find("jobId = ?1 and sampleIdx = ?2",
                e.jobId(), e.idx()).singleResult().billable);
    }

    @Test
    void aSampleOverThresholdIsQuarantinedAndReachableOnlyByReviewers() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        assertEquals(SampleStatus.QUARANTINED, sample(e).status);
        assertEquals(JobStatus.NEEDS_REVIEW, jobStatus(e.jobId()));
        assertFalse(fixtures.exists(Buckets.OUTPUTS, e), "nothing in genq-outputs");
        assertFalse(fixtures.exists(Buckets.PENDING, e));
        assertTrue(fixtures.exists(Buckets.QUARANTINE, e));
        assertEquals(List.of("job.needs_review"), events(e.jobId()));

        JsonPath page = as(t.reviewerKey()).when().get("/v1/reviews").then().statusCode(200).extract().jsonPath();
        assertEquals(1, page.getList("data").size());
        assertEquals(List.of("weapon"), page.getList("data[0].concepts"));
        assertTrue(page.getString("data[0].thumbnail_url").contains("/genq-quarantine/"));
        assertEquals("a sunset", page.getString("data[0].prompt"));
        assertTrue(page.getString("data[0].reasons[0]").startsWith("image: weapon 0.60 >= 0.50"), page.getString("data[0].reasons[0]"));
        // only reviewers: a client key of the same tenant is refused
        as(t.clientKey()).when().get("/v1/reviews").then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("forbidden"));
        given().when().get("/v1/reviews").then().statusCode(401).body("code", equalTo("api_key_required"));
        as(t.clientKey()).when().post("/v1/reviews/" + page.getString("data[0].id") + "/claim").then().statusCode(403);
        as(t.clientKey()).contentType(ContentType.JSON).body(Map.of("decision", "approve"))
                .when().post("/v1/reviews/" + page.getString("data[0].id") + "/decision").then().statusCode(403);
    }

    @Test
    void approveReleasesTheSampleAndSettlesTheJobWithAFullAuditTrail() throws InterruptedException {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        String item = itemFor(t, e);
        as(t.reviewerKey()).when().post("/v1/reviews/" + item + "/claim").then().statusCode(200)
                .body("claimed_by", org.hamcrest.Matchers.startsWith("reviewer"));
        as(t.reviewerKey()).contentType(ContentType.JSON).body(Map.of("decision", "approve", "note", "a red square, harmless"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("history.action", equalTo(List.of("queued", "claimed", "claimed", "approved")))
                .body("history[3].note", equalTo("a red square, harmless"));
        assertEquals(SampleStatus.RELEASED, sample(e).status);
        assertTrue(fixtures.exists(Buckets.OUTPUTS, e));
        assertEquals(JobStatus.SUCCEEDED, jobStatus(e.jobId()));
        assertEquals(List.of("job.needs_review", "sample.released:0", "job.succeeded"), events(e.jobId()));
        as(t.reviewerKey()).contentType(ContentType.JSON).body(Map.of("decision", "reject"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(409).body("code", equalTo("review_decided"));
        awaitGone(Buckets.QUARANTINE, e); // the purger (every 1 s in tests) removes the quarantine copy
        assertTrue(fixtures.exists(Buckets.OUTPUTS, e), "the released bytes stay");
        as(t.reviewerKey()).when().get("/v1/reviews/" + item).then().statusCode(200)
                .body("history.action", equalTo(List.of("queued", "claimed", "claimed", "approved", "purged")));
    }

    private void awaitGone(String bucket, SampleGenerated e) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (fixtures.exists(bucket, e) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertFalse(fixtures.exists(bucket, e), bucket + " still holds " + e.objectKey());
    }

    @Test
    void rejectRemovesTheSampleAndAJobWithNothingReleasedIsRejected() throws InterruptedException {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        String item = itemFor(t, e);
        as(t.reviewerKey()).contentType(ContentType.JSON).body(Map.of("decision", "reject", "note", "weapon"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(200).body("status", equalTo("rejected"));
        assertEquals(SampleStatus.REJECTED, sample(e).status);
        assertEquals(JobStatus.REJECTED, jobStatus(e.jobId()));
        assertFalse(fixtures.exists(Buckets.OUTPUTS, e));
        assertEquals(List.of("job.needs_review", "sample.rejected:0", "job.rejected"), events(e.jobId()));
        awaitGone(Buckets.QUARANTINE, e); // retention 0: the purger (every 1 s in tests) deletes it
        as(t.reviewerKey()).when().get("/v1/reviews/" + item).then().statusCode(200)
                .body("history.action", hasItem("purged"));
    }

    @Test
    void aClaimHeldByAnotherReviewerIs409() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        String item = itemFor(t, e);
        String other = fixtures.key(t.tenant(), "reviewer");
        as(t.reviewerKey()).when().post("/v1/reviews/" + item + "/claim").then().statusCode(200);
        as(other).when().post("/v1/reviews/" + item + "/claim").then().statusCode(409).body("code", equalTo("review_claimed"));
        as(other).contentType(ContentType.JSON).body(Map.of("decision", "approve"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(409).body("code", equalTo("review_claimed"));
        assertEquals(SampleStatus.QUARANTINED, sample(e).status, "nothing changed");
    }

    @Test
    void reviewersSeeOnlyTheirTenantAndAdminsSeeAll() {
        Tenancy a = fixtures.tenant();
        Tenancy b = fixtures.tenant();
        SampleGenerated e = fixtures.job(a.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        String item = itemFor(a, e);
        as(b.reviewerKey()).when().get("/v1/reviews").then().statusCode(200).body("data.id", not(hasItem(item)));
        as(b.reviewerKey()).when().get("/v1/reviews/" + item).then().statusCode(404).body("code", equalTo("review_not_found"));
        as(b.reviewerKey()).when().post("/v1/reviews/" + item + "/claim").then().statusCode(404);
        as(fixtures.adminKey()).when().get("/v1/reviews?limit=200").then().statusCode(200).body("data.id", hasItem(item));
        as(a.reviewerKey()).when().get("/v1/reviews?concept=alcohol").then().statusCode(200).body("data.id", not(hasItem(item)));
        as(a.reviewerKey()).when().get("/v1/reviews?concept=weapon").then().statusCode(200).body("data.id", hasItem(item));
    }

    @Test
    void moderatorsOfTheOperatorReviewEveryTenantAndTheRoleCountsNowhereElse() {
        Tenancy a = fixtures.tenant();
        Tenancy b = fixtures.tenant();
        SampleGenerated e = fixtures.job(a.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        String item = itemFor(a, e);
        String platformModerator = fixtures.key(dev.genq.storage.tenant.Tenant.DEFAULT_ID, "moderator");
        as(platformModerator).when().get("/v1/reviews?limit=200").then().statusCode(200).body("data.id", hasItem(item));
        as(platformModerator).when().post("/v1/reviews/" + item + "/claim").then().statusCode(200);
        as(platformModerator).contentType(ContentType.JSON).body(Map.of("decision", "approve"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(200);
        assertEquals(SampleStatus.RELEASED, sample(e).status);

        // a tenant's own key holding moderator or admin (refused at creation now, perhaps made before) is no more than its roles allow
        as(fixtures.key(b.tenant(), "moderator")).when().get("/v1/reviews?limit=200").then().statusCode(403);
        as(fixtures.key(b.tenant(), "admin")).when().get("/v1/reviews?limit=200").then().statusCode(403);
    }

    @Test
    void aKeyOverItsRateIs429HereToo() {
        Tenancy t = fixtures.tenant();
        String slow = fixtures.key(t.tenant(), "reviewer", 1.0);
        int limited = 0;
        for (int i = 0; i < 10; i++) { // a bucket of 1 a second holds 2: ten in a row pass only at a second each
            var r = as(slow).when().get("/v1/reviews");
            if (r.statusCode() == 429) {
                limited++;
                r.then().body("code", equalTo("rate_limited")).header("Retry-After", org.hamcrest.Matchers.notNullValue());
            } else {
                assertEquals(200, r.statusCode());
            }
        }
        assertTrue(limited > 0, "no request was limited");
        as(t.reviewerKey()).when().get("/v1/reviews").then().statusCode(200); // another key is not
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        Sample before = sample(e);
        moderator.handle(e);
        moderator.handle(e);
        assertEquals(before.status, sample(e).status);
        assertEquals(before.settledAt, sample(e).settledAt);
        assertEquals(1L, (long) QuarkusTransaction.requiringNew().call(() -> ReviewItem.count("jobId", e.jobId())));
        assertEquals(List.of("job.needs_review"), events(e.jobId()));
    }

    @Test
    void thePromptAloneCanQuarantineAndReleaseConceptsAreRecordedButReleased() {
        Tenancy t = fixtures.tenant();
        List<SampleGenerated> byPrompt = fixtures.job(t.tenant(), "a p1stol on a table", ModerationFixtures.GREY);
        moderator.handle(byPrompt.get(0));
        assertEquals(SampleStatus.QUARANTINED, sample(byPrompt.get(0)).status);
        as(t.reviewerKey()).when().get("/v1/reviews").then().statusCode(200)
                .body("data[0].reasons", hasItem("prompt: names weapon (quarantine)"));

        SampleGenerated blue = fixtures.job(t.tenant(), "a still life", Color.BLUE).get(0); // alcohol: action release
        moderator.handle(blue);
        assertEquals(SampleStatus.RELEASED, sample(blue).status);
        assertTrue(sample(blue).moderation.contains("\"flagged\":[\"alcohol\"]"), sample(blue).moderation);
    }

    @Test
    void aJobWithACleanAndAFlaggedSampleWaitsForReviewThenSucceeds() {
        Tenancy t = fixtures.tenant();
        List<SampleGenerated> samples = fixtures.job(t.tenant(), "two squares", ModerationFixtures.GREY, Color.RED);
        samples.forEach(moderator::handle);
        assertEquals(JobStatus.NEEDS_REVIEW, jobStatus(samples.get(0).jobId()));
        assertEquals(SampleStatus.RELEASED, sample(samples.get(0)).status, "the clean sample is released at once");
        String item = itemFor(t, samples.get(1));
        as(t.reviewerKey()).contentType(ContentType.JSON).body(Map.of("decision", "reject"))
                .when().post("/v1/reviews/" + item + "/decision").then().statusCode(200);
        assertEquals(JobStatus.SUCCEEDED, jobStatus(samples.get(0).jobId()), "one sample released: succeeded");
    }

    @Test
    void theAuditTrailIsAppendOnly() {
        Tenancy t = fixtures.tenant();
        SampleGenerated e = fixtures.job(t.tenant(), "a sunset", Color.RED).get(0);
        moderator.handle(e);
        Exception refused = assertThrows(Exception.class, () -> QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("update review_events set note = 'rewritten'").executeUpdate()));
        assertNotNull(refused);
        Exception refusedDelete = assertThrows(Exception.class, () -> QuarkusTransaction.requiringNew().run(() ->
                em.createNativeQuery("delete from review_events").executeUpdate()));
        assertNotNull(refusedDelete);
    }

    @Test
    void metricsCountFlagsAndTheQueue() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("genq_review_queue_depth"))
                .body(org.hamcrest.Matchers.containsString("genq_review_queue_oldest_age_seconds"));
    }
}
