package dev.genq.moderation.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures;
import dev.genq.storage.messaging.EventCodec;
import dev.genq.storage.messaging.KafkaClients;
import dev.genq.storage.messaging.PreviewGenerated;
import dev.genq.storage.messaging.PreviewModerated;
import dev.genq.storage.messaging.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.Color;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Live previews get the final samples' policy: scored by the classifier and the prompt policy, withheld when flagged. */
@QuarkusTest
class PreviewModerationTest {
    final ModerationFixtures fixtures;
    final PreviewModerator moderator;
    final KafkaClients kafka;
    final MeterRegistry metrics;

    PreviewModerationTest(ModerationFixtures fixtures, PreviewModerator moderator, KafkaClients kafka, MeterRegistry metrics) {
        this.fixtures = fixtures;
        this.moderator = moderator;
        this.kafka = kafka;
        this.metrics = metrics;
    }

    PreviewGenerated preview(UUID job, UUID tenant, byte[] png, Instant madeAt, int step) {
        return new PreviewGenerated(job, tenant, "base", 0, step, 8, Base64.getEncoder().encodeToString(png), madeAt);
    }

    UUID job(UUID tenant, String prompt) {
        return fixtures.job(tenant, prompt, ModerationFixtures.GREY).get(0).jobId();
    }

    @Test
    void aCleanPreviewIsReleasedWithItsImageAndAFlaggedOneIsWithheldWithout() {
        UUID tenant = fixtures.tenant().tenant();
        UUID job = job(tenant, "a grey ball");
        byte[] grey = ModerationFixtures.picture(ModerationFixtures.GREY);
        double scoredBefore = metrics.counter("genq.moderation.scored").count();

        PreviewModerated clean = moderator.decide(preview(job, tenant, grey, Instant.now(), 2)).orElseThrow();
        assertTrue(clean.released());
        assertArrayEquals(grey, Base64.getDecoder().decode(clean.png()), "the image released is the one scored");
        assertEquals(2, clean.step());

        // the fixture classifier reads a red picture as "weapon" (quarantine): its preview is never passed on
        PreviewModerated red = moderator.decide(preview(job, tenant, ModerationFixtures.picture(Color.RED), Instant.now(), 4)).orElseThrow();
        assertFalse(red.released());
        assertNull(red.png());
        assertEquals(4, red.step());
        assertEquals(scoredBefore, metrics.counter("genq.moderation.scored").count(), "previews are not counted as scored samples");
    }

    @Test
    void aPromptThePolicyQuarantinesWithholdsEveryPreviewHoweverCleanItLooks() {
        UUID tenant = fixtures.tenant().tenant();
        UUID job = job(tenant, "a sword on a table");
        PreviewModerated answer = moderator.decide(preview(job, tenant,
                ModerationFixtures.picture(ModerationFixtures.GREY), Instant.now(), 2)).orElseThrow();
        assertFalse(answer.released());
        assertNull(answer.png());
    }

    @Test
    void aStalePreviewOrAnotherTenantsJobIsDroppedUnscored() {
        UUID tenant = fixtures.tenant().tenant();
        UUID job = job(tenant, "a grey ball");
        byte[] grey = ModerationFixtures.picture(ModerationFixtures.GREY);
        assertEquals(Optional.empty(), moderator.decide(preview(job, tenant, grey, Instant.now().minusSeconds(60), 2)));
        assertTrue(moderator.decide(preview(job, tenant, grey, Instant.now(), 3)).isPresent(), "the job is known now");
        UUID other = fixtures.tenant().tenant();
        assertEquals(Optional.empty(), moderator.decide(preview(job, other, grey, Instant.now(), 2)),
                "a preview naming another tenant than its job's is not answered");
    }

    @Test
    void previewsThroughKafkaAreAnsweredOnTheModeratedTopic() throws Exception {
        UUID tenant = fixtures.tenant().tenant();
        UUID job = job(tenant, "a grey ball");
        byte[] grey = ModerationFixtures.picture(ModerationFixtures.GREY);
        try (KafkaConsumer<String, String> answers = kafka.consumer("test-previews-" + UUID.randomUUID(), "test",
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
             KafkaProducer<String, String> producer = kafka.producer("test-previews")) {
            answers.subscribe(List.of(Topics.PREVIEWS_MODERATED));
            // the service reads from the newest message on once it has joined its group: keep sending (a new step
            // each time) until one is answered, within a bound
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int step = 0;
            while (System.nanoTime() < deadline) {
                step++;
                producer.send(new ProducerRecord<>(Topics.PREVIEWS_GENERATED, job.toString(),
                        EventCodec.encode(preview(job, tenant, grey, Instant.now(), step)))).get();
                for (ConsumerRecord<String, String> r : answers.poll(Duration.ofMillis(500))) {
                    PreviewModerated answer = EventCodec.decode(r.value(), PreviewModerated.class);
                    if (answer.jobId().equals(job)) {
                        assertTrue(answer.released());
                        assertEquals(job.toString(), r.key(), "keyed by job");
                        assertArrayEquals(grey, Base64.getDecoder().decode(answer.png()));
                        return;
                    }
                }
            }
            throw new AssertionError("no preview answered within 60 s (" + step + " sent)");
        }
    }
}
