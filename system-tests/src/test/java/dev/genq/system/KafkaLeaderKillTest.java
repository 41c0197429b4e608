package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Production runs Kafka as three brokers (replication factor 3, min.insync.replicas 2; genq's producers
 * use acks=all with idempotence). On such a cluster, the broker leading a partition of the preview job
 * topic is killed while a client submits a job every 100 ms, and started again 6 s later: every
 * submission is accepted and every accepted job succeeds exactly once (samples, objects, cost rows).
 */
class KafkaLeaderKillTest {
    static final String PROMPT = "a leader kill";
    static final String TOPIC = "genq.jobs.preview";

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void everyJobSurvivesTheLeaderOfItsPartitionBeingKilled() throws Exception {
        Platform platform = Platform.onThreeBrokers();
        try {
            // one job through first: the topics exist (created on first use, replicated 3 ways) and the platform works
            String first = platform.submit("{\"prompt\":\"" + PROMPT + "\",\"steps\":2}");
            ExactlyOnce.assertSucceededOnce(platform, List.of(first), 1, Duration.ofSeconds(120));
            int leader = leaderOfPartitionZero(platform);
            SubmissionStream stream = SubmissionStream.acrossOutage(platform, PROMPT, () -> platform.stack.stopKafkaBroker(leader),
                    Duration.ofSeconds(6), () -> platform.stack.startKafkaBroker(leader), Duration.ofSeconds(2));
            assertEquals(List.of(), stream.unanswered(), "every submission got an answer");
            assertEquals(List.of(), stream.refused().stream().map(Platform.Reply::raw).toList(),
                    "losing one broker of three refuses no submission");
            List<String> accepted = stream.accepted();
            assertTrue(accepted.size() >= 30, "accepted: " + accepted.size());
            ExactlyOnce.assertSucceededOnce(platform, accepted, 1, Duration.ofSeconds(150));
            assertEquals(accepted.size() + 1, platform.count("select count(*) from jobs where prompt = ?", PROMPT));
        } finally {
            platform.shutdown();
        }
    }

    /** The node id of the broker leading partition 0 of the preview topic, as the cluster reports it now. */
    private static int leaderOfPartitionZero(Platform platform) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.stack.kafkaBootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
            assertEquals(3, topic.partitions().get(0).replicas().size(), "replication factor 3: " + topic);
            return topic.partitions().get(0).leader().id();
        } catch (Exception e) {
            throw new IllegalStateException("could not find the leader of " + TOPIC + "-0: " + e.getMessage(), e);
        }
    }
}
