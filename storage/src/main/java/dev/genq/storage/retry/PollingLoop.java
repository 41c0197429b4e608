package dev.genq.storage.retry;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A background thread that does one round of work every {@code pollInterval}, at once when woken, and
 * after a failed round waits out a capped {@link Backoff} instead: the shape of genq's outbox relay and
 * webhook dispatcher. A round that throws is logged and counts as failed; the loop never dies of it.
 */
public final class PollingLoop {

    /** One round of work. @return false when it did not fully succeed (the loop backs off) */
    @FunctionalInterface
    public interface Round {
        boolean run() throws InterruptedException;
    }

    private final String name;
    private final Duration pollInterval;
    private final Backoff.Delay delay;
    private final Round round;
    private final Logger log;
    private final Semaphore wakeups = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    public PollingLoop(String name, Duration pollInterval, Backoff backoff, Round round) {
        this.name = name;
        this.pollInterval = pollInterval;
        this.delay = backoff.delay();
        this.round = round;
        this.log = Logger.getLogger(PollingLoop.class.getName() + "." + name);
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the round in progress, waiting for it at most {@code grace}. */
    public void stop(Duration grace) throws InterruptedException {
        running = false;
        wake();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(grace.toMillis());
        }
    }

    /** Runs a round now rather than at the next poll; a wake also ends a backoff early (new work may succeed). */
    public void wake() {
        wakeups.release();
    }

    public boolean running() {
        return running;
    }

    private void loop() {
        while (running) {
            try {
                long wait = delay.currentMillis() > 0 ? delay.currentMillis() : pollInterval.toMillis();
                wakeups.tryAcquire(wait, TimeUnit.MILLISECONDS);
                wakeups.drainPermits();
                if (!running) {
                    return;
                }
                if (round.run()) {
                    delay.succeeded();
                } else {
                    delay.failed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warnf("%s: %s; retrying in %d ms", name, e.getMessage(), delay.failed());
            }
        }
    }
}
