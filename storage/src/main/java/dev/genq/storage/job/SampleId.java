package dev.genq.storage.job;

import java.io.Serializable;
import java.util.UUID;

/** Composite key of {@link Sample}: the job and the sample's index within it. */
public record SampleId(UUID jobId, int idx) implements Serializable {
    public SampleId {
    }

    // JPA needs a no-arg constructor on id classes; records get one through this delegate.
    public SampleId() {
        this(null, 0);
    }
}
