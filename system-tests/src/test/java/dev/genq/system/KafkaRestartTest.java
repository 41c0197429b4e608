package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka broker restarted during a stream of submissions. Submissions do not depend on Kafka (the
 * job and its message are one Postgres transaction; the outbox relay publishes later), so every one
 * is accepted, and every job then completes exactly once: the producers, the worker's and
 * moderation's consumers and the gateway's event consumer all reconnect on their own.
 */
class KafkaRestartTest {
    static final String PROMPT = "a broker restart";
    final Platform platform = Platform.get();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyJobSubmittedAcrossABrokerRestartCompletesOnce() throws Exception {
        SubmissionStream stream = SubmissionStream.acrossOutage(platform, PROMPT, platform.stack::stopKafka,
                Duration.ofSeconds(4), platform.stack::restartKafka, Duration.ofSeconds(2));
        assertEquals(List.of(), stream.unanswered(), "every submission got an answer");
        assertEquals(List.of(), stream.refused().stream().map(Platform.Reply::raw).toList(),
                "a broker outage refuses no submission");
        List<String> accepted = stream.accepted();
        assertTrue(accepted.size() >= 30, "accepted: " + accepted.size());
        ExactlyOnce.assertSucceededOnce(platform, accepted, 1, Duration.ofSeconds(150));
        assertEquals(accepted.size(), platform.count("select count(*) from jobs where prompt = ?", PROMPT));
    }
}
