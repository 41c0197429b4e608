package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped for 10 s while clients keep submitting: the gateway refuses with 503 and
 * Retry-After instead of accepting what it cannot store, and every job it did accept (before, during
 * or after) completes once, with the worker, moderation, the outbox relay and the sweeper all
 * riding out the outage.
 */
class PostgresOutageTest {
    static final String PROMPT = "a database outage";
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void submissionsDuringADatabaseOutageAreRefusedWith503OrCompleteOnce() throws Exception {
        SubmissionStream stream = SubmissionStream.acrossOutage(platform, PROMPT, platform.stack::stopPostgres,
                Duration.ofSeconds(10), platform.stack::restartPostgres, Duration.ofSeconds(3));
        List<String> accepted = stream.accepted();
        List<Platform.Reply> refused = stream.refused();
        assertEquals(List.of(), stream.unanswered(), "every submission got an answer");
        assertFalse(refused.isEmpty(), "submissions during the outage were refused");
        for (Platform.Reply r : refused) {
            assertEquals(503, r.status(), r.raw());
            assertEquals("application/problem+json", r.contentType());
            assertEquals("database_unavailable", r.body().path("code").asText(), r.raw());
            assertNotNull(r.header("Retry-After"), "Retry-After on " + r.raw());
            assertTrue(Integer.parseInt(r.header("Retry-After")) > 0);
        }
        assertTrue(accepted.size() >= 20, "accepted before and after the outage: " + accepted.size());
        ExactlyOnce.assertSucceededOnce(platform, accepted, 1, Duration.ofSeconds(120));
        assertEquals(accepted.size(), platform.count("select count(*) from jobs where prompt = ?", PROMPT),
                "a refused submission left no job behind");
    }
}
