package dev.genq.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A job as {@code GET /v1/jobs/{id}} shows it (the fields a client acts on; the server may send more). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Job(UUID id, String status, String mode, UUID parentId, Integer parentSample, double progress, Params params,
                  String modelVersion, Timings timings, Cost cost, List<Sample> samples, Error error, String priority,
                  Queue queue) {

    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "canceled", "rejected");

    /** Succeeded, failed, canceled or rejected: it will not change again. */
    public boolean finished() {
        return TERMINAL.contains(status);
    }

    /** Finished, or waiting for a human reviewer (it may be hours): a waiting client usually stops here too. */
    public boolean settled() {
        return finished() || "needs_review".equals(status);
    }

    /** The sample with this index. @throws IllegalArgumentException if the job has none */
    public Sample sample(int index) {
        return (samples == null ? List.<Sample>of() : samples).stream().filter(s -> s.index() == index).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("job " + id + " has no sample " + index));
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Params(String prompt, String negativePrompt, int numSamples, long seed, int steps, double guidanceScale,
                         String sampler, String model, Integer previewEvery, Double strength) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Timings(OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cost(double computeSeconds, BigDecimal usd) {
    }

    /** {@code url} (presigned, until {@code urlExpiresAt}) and {@code link} (never expires) only once released. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Sample(int index, String status, long seed, int width, int height, String url, Instant urlExpiresAt,
                         String link, Cost cost, Boolean cacheHit) {
        public boolean released() {
            return "released".equals(status);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Error(String code, String message) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Queue(long position, Double etaSeconds, Boolean positionAtLeast) {
    }
}
