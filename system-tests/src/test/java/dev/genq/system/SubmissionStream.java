package dev.genq.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Submits one small job every 100 ms from its own thread until stopped, as a client would during an
 * outage, and keeps every answer: the ids of accepted jobs and the refusals.
 */
final class SubmissionStream implements AutoCloseable {
    private final Platform platform;
    private final String job;
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private final Thread thread;
    private final List<String> accepted = new ArrayList<>();
    private final List<Platform.Reply> refused = new ArrayList<>();
    private final List<Throwable> unanswered = new ArrayList<>();
    private volatile boolean running = true;

    /** {@code prompt}: unique to the test, so the jobs it made can be counted in Postgres. */
    private SubmissionStream(Platform platform, String prompt) {
        this.platform = platform;
        this.job = "{\"prompt\":\"" + prompt + "\",\"steps\":2}";
        this.thread = new Thread(this::loop, "submission-stream");
        thread.start();
    }

    /**
     * Submits one job every 100 ms: for 2 s before an outage, through it ({@code stop}, {@code down} of
     * waiting, {@code start}, which runs even if the wait is interrupted) and for {@code settle} after it;
     * returns the stream, stopped, with every answer it got.
     */
    static SubmissionStream acrossOutage(Platform platform, String prompt, Runnable stop, Duration down, Runnable start,
                                         Duration settle) throws InterruptedException {
        try (SubmissionStream stream = new SubmissionStream(platform, prompt)) {
            Thread.sleep(2000);
            stop.run();
            try {
                Thread.sleep(down.toMillis());
            } finally {
                start.run();
            }
            Thread.sleep(settle.toMillis());
            return stream;
        }
    }

    private void loop() {
        while (running) {
            try {
                Platform.Reply r = platform.post("/v1/jobs", job);
                synchronized (this) {
                    if (r.status() == 202) {
                        accepted.add(r.body().path("id").asText());
                    } else {
                        refused.add(r);
                    }
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    unanswered.add(e);
                }
            }
            Platform.sleep(INTERVAL.toMillis());
        }
    }

    synchronized List<String> accepted() {
        return List.copyOf(accepted);
    }

    synchronized List<Platform.Reply> refused() {
        return List.copyOf(refused);
    }

    synchronized List<Throwable> unanswered() {
        return List.copyOf(unanswered);
    }

    /** Stops submitting and waits for the request in flight (bounded: the client's timeouts). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(60).toMillis());
    }
}
