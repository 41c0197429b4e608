package dev.genq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code threads} callers each doing one operation after another for a fixed time: the most the system under test gives. */
final class ClosedLoop {
    record Result(int threads, long operations, double perSecond, Latencies latencies, long errors) {
    }

    /** What one caller does; made per thread, so it may hold a connection of its own. */
    interface Operation extends AutoCloseable {
        void run(long i) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface OperationFactory {
        Operation open() throws Exception;
    }

    static Result run(int threads, double seconds, OperationFactory factory) throws InterruptedException {
        List<long[]> perThread = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        AtomicLong counter = new AtomicLong();
        long[] counts = new long[threads];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            long[] samples = new long[1 << 20];
            perThread.add(samples);
            int id = t;
            Thread w = new Thread(() -> {
                try (Operation op = factory.open()) {
                    int n = 0;
                    while (System.nanoTime() < end && n < samples.length) {
                        long t0 = System.nanoTime();
                        try {
                            op.run(counter.getAndIncrement());
                            samples[n++] = System.nanoTime() - t0;
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                    counts[id] = n;
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            }, "bench-closed-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join((long) (seconds * 1000) + 60_000);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(perThread.get(t), 0, all, k, (int) counts[t]);
            k += (int) counts[t];
        }
        return new Result(threads, total, total / elapsed, new Latencies(all), errors.get());
    }
}
