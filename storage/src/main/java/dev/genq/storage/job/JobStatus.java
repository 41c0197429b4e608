package dev.genq.storage.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Job lifecycle of DESIGN.md section 2. The wire and database form is the lower-case name. */
public enum JobStatus {
    QUEUED, RUNNING, MODERATING, SUCCEEDED, NEEDS_REVIEW, REJECTED, FAILED, CANCELED;

    public static final Set<JobStatus> TERMINAL = EnumSet.of(SUCCEEDED, REJECTED, FAILED, CANCELED);

    /** The setting both the gateway's sweeper and the worker read: how long a job may stay queued. */
    public static final String QUEUE_DEADLINE = "genq.jobs.queue-deadline";
    public static final String QUEUE_DEADLINE_DEFAULT = "PT15M";
    /** The same for bulk jobs, which wait for room by design. */
    public static final String BULK_QUEUE_DEADLINE = "genq.jobs.bulk-queue-deadline";
    public static final String BULK_QUEUE_DEADLINE_DEFAULT = "P1D";
    public static final Set<JobStatus> CANCELABLE = EnumSet.of(QUEUED, RUNNING);

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** @return the status for a wire name, or null if there is none. */
    public static JobStatus fromWire(String value) {
        for (JobStatus s : values()) {
            if (s.wire().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
