package dev.genq.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Small text-to-image jobs of one tenant, as the scheduling tests submit and time them. */
final class TenantJobs {
    private static final AtomicLong SEEDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    private static final String JOB = "{\"prompt\":\"a red apple\",\"num_samples\":1,\"steps\":2,\"seed\":%d%s}";

    private final Platform platform;

    TenantJobs(Platform platform) {
        this.platform = platform;
    }

    /** Submits {@code n} jobs with distinct seeds from 4 threads, retrying a 429 after its Retry-After. */
    List<String> submitAll(String key, int n, String extra) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String body = JOB.formatted(SEEDS.incrementAndGet(), extra);
                ids.add(pool.submit(() -> submitOne(key, body)));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : ids) {
                out.add(f.get());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    }

    private String submitOne(String key, String body) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Platform.Reply r = platform.post(key, "/v1/jobs", body);
            if (r.status() == 202) {
                return r.body().path("id").asText();
            }
            if (r.status() != 429) {
                throw new AssertionError("submit answered " + r.status() + ": " + r.raw());
            }
            String retryAfter = r.header("Retry-After");
            Platform.sleep(1000L * (retryAfter == null ? 1 : Math.max(1, Long.parseLong(retryAfter))));
        }
        throw new AssertionError("still refused after 20 tries");
    }

    /** From the first job's creation to the last one's finish, as the database recorded them. */
    Duration span(List<String> ids) {
        String[] a = ids.toArray(new String[0]);
        return Duration.ofMillis(platform.count("""
                select round(extract(epoch from max(finished_at) - min(created_at)) * 1000) from jobs where id = any(?::uuid[])""",
                (Object) a));
    }

    /**
     * How many of {@code others} were dispatched while {@code waiting} waited: after the first of them was created, up to
     * the last one's dispatch. A count of the dispatcher's choices, so it does not depend on how fast this machine is.
     */
    long dispatchedWhileWaiting(List<String> waiting, List<String> others) {
        return platform.count("""
                select count(*) from jobs o where o.id = any(?::uuid[])
                  and o.dispatched_at > (select min(created_at) from jobs where id = any(?::uuid[]))
                  and o.dispatched_at <= (select max(dispatched_at) from jobs where id = any(?::uuid[]))""",
                others.toArray(new String[0]), waiting.toArray(new String[0]), waiting.toArray(new String[0]));
    }

    /** Per job, ms from creation to: dispatch, start, stored (first sample), settled. */
    String stages(List<String> ids) {
        StringBuilder b = new StringBuilder();
        for (String id : ids) {
            b.append(platform.text("""
                    select concat_ws('/', round(extract(epoch from j.dispatched_at - j.created_at) * 1000),
                                          round(extract(epoch from j.started_at - j.created_at) * 1000),
                                          round(extract(epoch from (select min(s.created_at) from samples s where s.job_id = j.id) - j.created_at) * 1000),
                                          round(extract(epoch from j.finished_at - j.created_at) * 1000))
                    from jobs j where j.id = ?""", UUID.fromString(id))).append(' ');
        }
        return b.append("(dispatched/started/stored/settled ms)").toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

}
