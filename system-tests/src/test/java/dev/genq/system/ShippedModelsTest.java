package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages genq ships and ./run-local serves (emoji-base, emoji-sr, emoji-safety), not the fixtures:
 * a preview and a full job through the three services make real pictures that pass the quality check.
 * Their services run with the system tests' -Xmx512m and serial GC, the settings under which the
 * unpatched engine turned every one of these images black on Zen 4 (OneDnnIsaCap).
 */
class ShippedModelsTest {
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);
    static final Platform platform = Platform.get();

    @BeforeAll
    static void serveTheShippedPackages() {
        platform.restartWith(Platform.MODERATION, Map.of("genq.moderation.classifier.path",
                platform.root().resolve("models/emoji-safety").toString()));
        platform.restartWith(Platform.WORKER, Map.of("genq.worker.model-paths",
                platform.root().resolve("models/emoji-base") + "," + platform.root().resolve("models/emoji-sr"),
                "genq.worker.super-resolution-model", "emoji-sr"));
    }

    @AfterAll
    static void backToTheFixtures() {
        platform.restartWith(Platform.WORKER, Map.of());
        platform.restartWith(Platform.MODERATION, Map.of());
    }

    @Test
    void aPreviewOfTheShippedBaseModelIsFourRealPictures() {
        String id = platform.submit("{\"prompt\":\"a grinning cat\",\"model\":\"emoji-base\",\"num_samples\":4,\"seed\":42}");
        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        assertEquals("emoji-base@1.9500-t8", job.path("model_version").asText());
        assertEquals(4, job.path("samples").size());
        double scores = 0;
        for (JsonNode s : job.path("samples")) {
            assertEquals("released", s.path("status").asText(), s.toString());
            Pictures.assertPictureVerdict(s);
            scores += s.path("quality").path("score").asDouble();
            // a 32 px emoji preview has hundreds of colours; a blank has one
            Pictures.assertPicture(platform.download(s.path("url").asText()), 32, "preview sample " + s.path("index"));
        }
        // the judge sees cats: the previews' mean adherence clears its pass mark; and four seeds, four pictures
        double threshold = job.path("samples").get(0).path("quality").path("threshold").asDouble();
        assertTrue(scores / 4 >= threshold, "mean adherence " + scores / 4 + " under " + threshold + ": " + job);
        assertTrue(job.path("diversity").asDouble() > 0.05, "diversity of four seeds: " + job);
    }

    @Test
    void aFullJobOfTheShippedModelsIsARealPictureAt128Pixels() {
        String id = platform.submit("{\"prompt\":\"a grinning cat\",\"model\":\"emoji-base\",\"mode\":\"full\",\"seed\":43}");
        JsonNode job = platform.awaitStatus(id, "succeeded", JOB_TIMEOUT);
        assertEquals("emoji-base@1.9500-t8+emoji-sr@0.29500", job.path("model_version").asText());
        JsonNode s = job.path("samples").get(0);
        Pictures.assertPictureVerdict(s);
        Pictures.assertPicture(platform.download(s.path("url").asText()), 128, "full sample");
    }
}
