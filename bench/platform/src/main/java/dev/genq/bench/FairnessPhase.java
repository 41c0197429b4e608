package dev.genq.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform bench's fairness phase. (a) One tenant submits a backlog, then another a few jobs: each tenant's wait
 * (created → started) and time to done, first-come (every job published at submit, as genq did before fair dispatch:
 * {@code genq.dispatch.depth=1000000}) beside fair dispatch (the default), in one run. (b) The dispatcher's cost per
 * job with few and with many jobs waiting: passes timed by the gateway ({@code genq_dispatch_pass_seconds}) over the
 * jobs they published, with a stand-in for the workers that finishes what was published (SQL), so only dispatch runs.
 */
final class FairnessPhase {
    /** What the phase needs from the bench that runs it. */
    interface Host {
        /** Replaces the gateway by one with these settings on top of the bench's; @return its URL */
        String restartGateway(Map<String, String> settings) throws Exception;

        Connection db() throws SQLException;

        void line(String format, Object... args);
    }

    private final Host host;
    private final HttpClient http;
    private final String adminKey;
    private final int backlog;
    private final int few;
    private String gateway;

    FairnessPhase(Host host, HttpClient http, String adminKey, int backlog, int few) {
        this.host = host;
        this.http = http;
        this.adminKey = adminKey;
        this.backlog = backlog;
        this.few = few;
    }

    /** (a): needs a worker and moderation running. */
    void waits() throws Exception {
        host.line("## Fair dispatch: tenant A submits %d jobs, then tenant B %d (2-step tiny-base jobs, 1 worker)", backlog, few);
        host.line("");
        host.line("| dispatch | tenant | jobs | created → started p50 ms | p99 ms | created → done p50 ms | p99 ms |");
        host.line("|---|---|---:|---:|---:|---:|---:|");
        for (Map.Entry<String, Map<String, String>> policy : List.of(
                Map.entry("first come (all published at submit)", Map.of("genq.dispatch.depth", "1000000")),
                Map.entry("fair (default)", Map.<String, String>of()))) {
            gateway = host.restartGateway(policy.getValue());
            String a = tenant();
            String b = tenant();
            List<String> aJobs = submit(a, backlog);
            List<String> bJobs = submit(b, few);
            List<String> all = new ArrayList<>(aJobs);
            all.addAll(bJobs);
            awaitDone(all, Duration.ofMinutes(15));
            row(policy.getKey(), "A (the backlog)", aJobs);
            row(policy.getKey(), "B (after it)", bJobs);
        }
        host.line("");
    }

    /**
     * The result cache: one job computed with {@code Prefer: wait}, then the same request {@code n} times, each timed by
     * the client from send to answer (a hit is answered at submit). Needs a worker and moderation running.
     */
    void cacheHits(int n) throws Exception {
        String key = tenant();
        String body = "{\"prompt\":\"a cached cat\",\"num_samples\":4,\"steps\":4,\"seed\":77}";
        long computed = timedWait(key, body);
        long[] hits = new long[n];
        for (int i = 0; i < n; i++) {
            hits[i] = timedWait(key, body);
        }
        Latencies l = new Latencies(hits);
        host.line("## Result cache (a 4-sample request repeated %d times with Prefer: wait; client-side time)", n);
        host.line("");
        host.line("| | p50 ms | p99 ms |");
        host.line("|---|---:|---:|");
        host.line("| first request (computed) | %.0f | |", computed / 1e6);
        host.line("| repeats (cache hits, billed 0) | %.1f | %.1f |", l.millis(50), l.millis(99));
        host.line("");
    }

    private long timedWait(String key, String body) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/jobs")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - start;
        if (r.statusCode() != 200 || !r.body().contains("\"status\":\"succeeded\"")) {
            throw new IllegalStateException("the cache request answered " + r.statusCode() + ": " + r.body());
        }
        return took;
    }

    /** (b): with no worker running (the stand-in finishes jobs); each size in {@code sizes} jobs waiting. */
    void dispatchCost(int[] sizes, int perSize) throws Exception {
        gateway = host.restartGateway(Map.of("genq.dispatch.depth", "64"));
        host.line("## Dispatch cost (depth 64; a stand-in worker finishes each published job)");
        host.line("");
        host.line("| jobs waiting | jobs dispatched | passes | per job µs | per pass ms |");
        host.line("|---:|---:|---:|---:|---:|");
        for (int size : sizes) {
            String prompt = "dispatch-cost-" + UUID.randomUUID();
            try (Connection c = host.db(); PreparedStatement st = c.prepareStatement("""
                    insert into jobs (id, tenant_id, status, mode, prompt, num_samples, seed, steps, guidance_scale, sampler, model,
                                      priority, fair_start, fair_finish)
                    select gen_random_uuid(), ('00000000-0000-0000-0000-' || lpad((g % 100)::text, 12, '0'))::uuid, 'queued',
                           'preview', ?, 1, g, 2, 1.0, 'ddim', 'tiny-base', 'interactive', (g / 100) * 2.0, (g / 100) * 2.0 + 2
                    from generate_series(1, ?) g""")) {
                st.setString(1, prompt);
                st.setInt(2, size);
                st.executeUpdate();
            }
            try (Connection c = host.db()) { // as autovacuum would soon: the planner sees the backlog
                c.createStatement().execute("analyze jobs");
            }
            String before = metrics();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            long done = 0;
            while (done < perSize && System.nanoTime() < deadline) {
                try (Connection c = host.db(); PreparedStatement st = c.prepareStatement("""
                        update jobs set status = 'succeeded', finished_at = now()
                        where id in (select id from jobs where mode = 'preview'
                                     and status in ('queued', 'running', 'moderating') and dispatched_at is not null)
                          and prompt = ?""")) {
                    st.setString(1, prompt);
                    done += st.executeUpdate();
                }
                Thread.sleep(20);
            }
            String after = metrics();
            double seconds = sum(after, "genq_dispatch_pass_seconds_sum") - sum(before, "genq_dispatch_pass_seconds_sum");
            double passes = sum(after, "genq_dispatch_pass_seconds_count") - sum(before, "genq_dispatch_pass_seconds_count");
            double jobs = sum(after, "genq_jobs_dispatched_total") - sum(before, "genq_jobs_dispatched_total");
            host.line("| %,d | %.0f | %.0f | %.0f | %.2f |", size, jobs, passes, seconds / jobs * 1e6, seconds / passes * 1e3);
            try (Connection c = host.db(); PreparedStatement st = c.prepareStatement(
                    "update jobs set status = 'canceled', finished_at = now() where prompt = ? and status = 'queued'")) {
                st.setString(1, prompt);
                st.executeUpdate();
            }
            try (Connection c = host.db()) { // the next size starts without this one's dead rows, as autovacuum would soon leave it
                c.createStatement().execute("vacuum analyze jobs");
            }
        }
        host.line("");
    }

    private String tenant() throws Exception {
        String t = post(adminKey, "/v1/admin/tenants", "{\"name\":\"bench-" + UUID.randomUUID() + "\",\"max_concurrent_jobs\":100000}");
        String id = field(t, "id");
        return field(post(adminKey, "/v1/admin/tenants/" + id + "/keys",
                "{\"name\":\"bench\",\"roles\":[\"client\"],\"rate_limit_per_second\":100000}"), "key");
    }

    private List<String> submit(String key, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long seed = System.nanoTime();
                ids.add(pool.submit(() -> field(post(key, "/v1/jobs", "{\"prompt\":\"fair\",\"steps\":2,\"seed\":" + seed + "}"), "id")));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : ids) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    private void awaitDone(List<String> ids, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = host.db(); PreparedStatement st = c.prepareStatement(
                    "select count(*) from jobs where id = any(?::uuid[]) and status in ('queued', 'running', 'moderating')")) {
                st.setArray(1, c.createArrayOf("text", ids.toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("jobs not done within " + timeout);
    }

    private void row(String policy, String tenant, List<String> ids) throws Exception {
        List<Long> wait = new ArrayList<>();
        List<Long> done = new ArrayList<>();
        try (Connection c = host.db(); PreparedStatement st = c.prepareStatement("""
                select extract(epoch from started_at - created_at) * 1e9, extract(epoch from finished_at - created_at) * 1e9
                from jobs where id = any(?::uuid[]) and started_at is not null and finished_at is not null""")) {
            st.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    wait.add(rs.getLong(1));
                    done.add(rs.getLong(2));
                }
            }
        }
        Latencies w = new Latencies(wait.stream().mapToLong(Long::longValue).toArray());
        Latencies d = new Latencies(done.stream().mapToLong(Long::longValue).toArray());
        host.line("| %s | %s | %d | %.0f | %.0f | %.0f | %.0f |", policy, tenant, ids.size(), w.millis(50), w.millis(99),
                d.millis(50), d.millis(99));
    }

    private String post(String key, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + "/q/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double sum(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + "{") || l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
