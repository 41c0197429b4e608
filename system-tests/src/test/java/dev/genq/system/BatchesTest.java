package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A batch of 1,000 jobs through the whole platform: every item done once at the bulk price, one batch.completed, exact
 * counts and cost; and while it runs, the same tenant's interactive jobs are dispatched ahead of its waiting items.
 */
class BatchesTest {
    final Platform platform = Platform.get();
    final TenantJobs jobs = new TenantJobs(platform);

    @Test
    void aThousandItemBatchCompletesWithOneWebhookAndExactCountsAndCostWhileInteractiveJobsStayFast() throws Exception {
        String key = platform.newTenant("\"max_concurrent_jobs\":1000");
        List<Long> idle = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            idle.add(latencyOfOne(key, null));
        }
        try (WebhooksTest.Receiver receiver = new WebhooksTest.Receiver(0)) {
            StringBuilder jsonl = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                jsonl.append("{\"prompt\":\"a blue bird\",\"steps\":2,\"seed\":").append(90_000 + i)
                        .append(",\"idempotency_key\":\"bird-").append(i).append("\"}\n");
            }
            Platform.Reply created = platform.send(platform.api(key, "/v1/batches?webhook=" + receiver.url())
                    .header("Content-Type", "application/jsonl")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(jsonl.toString())).build());
            assertEquals(201, created.status(), created.raw());
            String id = created.body().path("id").asText();
            assertEquals(1000, created.body().path("items").asInt());

            List<Long> busy = new java.util.ArrayList<>();
            List<String> busyIds = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                busy.add(latencyOfOne(key, busyIds));
            }
            long left = platform.count("select count(*) from jobs where status in ('queued', 'running') and id in "
                    + "(select job_id from batch_items where batch_id = ?)", UUID.fromString(id));
            System.out.printf("batches: interactive latency idle %s ms, beside the batch %s ms (%d items left); %s%n", idle, busy, left,
                    jobs.stages(busyIds));
            assertTrue(left > 0, "the batch was still running while the interactive jobs ran");
            // Judged by the dispatcher's choices, not by time (the batch's work slows every stage on 2 cores): bulk work
            // never takes the places kept for interactive work, so each interactive job goes out ahead of the waiting items.
            List<String> items = List.of(platform.text("select string_agg(job_id::text, ',') from batch_items where batch_id = ?",
                    UUID.fromString(id)).split(","));
            List<Long> overtook = busyIds.stream().map(b -> jobs.dispatchedWhileWaiting(List.of(b), items)).toList();
            System.out.printf("batches: batch items dispatched while each interactive job waited: %s%n", overtook);
            assertTrue(overtook.stream().allMatch(n -> n <= 8), "each interactive job went out ahead of the batch's waiting items, "
                    + "at most 8 of them dispatched while it waited: " + overtook + " (latency " + busy + " ms vs " + idle + " ms idle)");

            JsonNode batch = awaitCompleted(key, id, Duration.ofMinutes(8));
            assertEquals("completed", batch.path("status").asText(), batch.toString());
            assertEquals(1000, batch.path("counts").path("succeeded").asLong(), batch.toString());
            BigDecimal billed = new BigDecimal(platform.text("""
                    select coalesce(sum(c.cost_usd), 0)::text from sample_costs c
                    where c.billable and c.job_id in (select job_id from batch_items where batch_id = ?)""", UUID.fromString(id)));
            assertEquals(0, billed.compareTo(batch.path("cost").path("usd").decimalValue()), "the batch's cost is what its jobs were billed");
            assertTrue(billed.signum() > 0);
            assertEquals(1000, platform.count("select count(*) from sample_costs where job_id in (select job_id from batch_items where batch_id = ?)",
                    UUID.fromString(id)), "one cost row per item: none computed twice");
            assertEquals(1000, platform.count("select count(*) from jobs where priority = 'bulk' and id in (select job_id from batch_items where batch_id = ?)",
                    UUID.fromString(id)), "every item ran in the bulk lane");
            assertEquals(1, platform.count("select count(distinct price_per_device_hour) from sample_costs where job_id in "
                    + "(select job_id from batch_items where batch_id = ?)", UUID.fromString(id)), "one price for the batch");
            assertEquals(0, new BigDecimal(platform.text("select max(price_per_device_hour)::text from sample_costs where job_id in "
                    + "(select job_id from batch_items where batch_id = ?)", UUID.fromString(id))).multiply(BigDecimal.valueOf(2))
                    .compareTo(new BigDecimal(platform.text("select max(price_per_device_hour)::text from sample_costs where job_id = ?",
                            UUID.fromString(busyIds.get(0))))), "bulk pays half the interactive price");

            // the one batch.completed: delivered, and only once
            awaitDelivered(id);
            List<String[]> got = receiver.awaitCount(1);
            assertEquals(1, got.stream().filter(g -> g[0].equals("batch.completed")).count(), "one batch.completed");
            JsonNode data = Platform.JSON.readTree(got.get(0)[2]).path("data");
            assertEquals(id, data.path("id").asText());
            assertEquals(1000, data.path("counts").path("succeeded").asLong());

            // every item listed once, page by page
            Set<String> jobs = new HashSet<>();
            String cursor = null;
            do {
                JsonNode page = platform.get(key, "/v1/batches/" + id + "/items?limit=300" + (cursor == null ? "" : "&cursor=" + cursor)).body();
                page.path("items").forEach(i -> {
                    assertEquals("succeeded", i.path("status").asText());
                    jobs.add(i.path("job_id").asText());
                });
                cursor = page.hasNonNull("next_cursor") ? page.path("next_cursor").asText() : null;
            } while (cursor != null);
            assertEquals(1000, jobs.size());

            // the same batch again: every item's idempotency key names its job, so nothing runs twice
            Platform.Reply again = platform.send(platform.api(key, "/v1/batches")
                    .header("Content-Type", "application/jsonl")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(jsonl.toString())).build());
            assertEquals(201, again.status(), again.raw());
            assertEquals(1000, again.body().path("counts").path("succeeded").asLong(), "the items are the earlier, finished jobs");
        }
    }

    /** One interactive job through to succeeded: submit to settled, from the job's own timings. */
    private long latencyOfOne(String key, List<String> ids) {
        String id = jobs.submitAll(key, 1, "").get(0);
        if (ids != null) {
            ids.add(id);
        }
        platform.awaitStatus(key, id, "succeeded", Duration.ofMinutes(2));
        return jobs.span(List.of(id)).toMillis();
    }

    private JsonNode awaitCompleted(String key, String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode batch = null;
        while (System.nanoTime() < deadline) {
            batch = platform.get(key, "/v1/batches/" + id).body();
            if (batch.hasNonNull("completed_at")) {
                return batch;
            }
            Platform.sleep(500);
        }
        throw new AssertionError("batch " + id + " did not complete within " + timeout + ": " + batch);
    }

    private void awaitDelivered(String batchId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (platform.count("select count(*) from webhook_deliveries where batch_id = ? and status = 'succeeded'", UUID.fromString(batchId)) < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("batch.completed was not delivered within 60 s");
            }
            Platform.sleep(200);
        }
        assertEquals(1, platform.count("select count(*) from webhook_deliveries where batch_id = ?", UUID.fromString(batchId)),
                "one delivery for the batch");
    }
}
