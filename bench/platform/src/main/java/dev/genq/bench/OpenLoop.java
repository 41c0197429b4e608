package dev.genq.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An open-loop load generator: request i is sent at t0 + i/rate whether or not earlier ones have
 * answered, and its latency is measured from that intended time, so a slow server cannot hide its
 * queueing by slowing the generator down (no coordinated omission).
 */
final class OpenLoop {
    record Result(double rate, double seconds, int sent, int ok, Map<Integer, Integer> statuses, int failed,
                  Latencies latencies, double achievedPerSecond) {
    }

    private final HttpClient http;

    OpenLoop(HttpClient http) {
        this.http = http;
    }

    /** Sends {@code rate × seconds} requests made by {@code request}; 2xx answers are counted as ok. */
    Result run(double rate, double seconds, IntFunction<HttpRequest> request) throws InterruptedException {
        int n = (int) Math.round(rate * seconds);
        long[] latency = new long[n];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        long period = (long) (1e9 / rate);
        long t0 = System.nanoTime() + 10_000_000;
        for (int i = 0; i < n; i++) {
            long intended = t0 + i * period;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            HttpRequest r = request.apply(i);
            all[i] = http.sendAsync(r, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
                latency[index] = System.nanoTime() - intended;
                if (error != null) {
                    failed.incrementAndGet();
                } else {
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() / 100 == 2) {
                        ok.incrementAndGet();
                    }
                }
                return null;
            });
        }
        long lastSent = System.nanoTime();
        try {
            CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("requests still unanswered 60 s after the last was sent", e);
        }
        double elapsed = (Math.max(lastSent, System.nanoTime()) - t0) / 1e9;
        return new Result(rate, seconds, n, ok.get(), Map.copyOf(statuses), failed.get(), new Latencies(latency),
                ok.get() / elapsed);
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "bench-http");
                    t.setDaemon(true);
                    return t;
                })).build();
    }
}
