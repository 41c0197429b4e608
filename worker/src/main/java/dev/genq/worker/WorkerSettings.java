package dev.genq.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

@ConfigMapping(prefix = "genq.worker")
public interface WorkerSettings {
    /**
     * The model packages this worker serves: folders, or s3://bucket/prefix locations. Each is loaded
     * once at start and kept warm; several can be served side by side.
     */
    List<String> modelPaths();

    /**
     * Packages (by name) this worker may serve without a golden probe ({@code probe.json}); every other
     * package without one is refused at load (models/README.md, "Golden probe").
     */
    java.util.Optional<List<String>> unprobedPackages();

    /** Where packages from S3 are mirrored before loading. */
    @WithDefault("${java.io.tmpdir}/genq-model-cache")
    String modelCache();

    /** The super-resolution model that turns a base image into a full one. */
    @WithDefault("emoji-sr")
    String superResolutionModel();

    /** cpu, or gpu (needs the CUDA native profile). */
    @WithDefault("cpu")
    String device();

    /** Names the hardware in every cost record. */
    @WithDefault("cpu")
    String deviceClass();

    /** Price of one device-hour in USD; each sample pays its share of the compute it used. */
    @WithDefault("0.10")
    BigDecimal pricePerDeviceHour();

    /**
     * Rows in every text-to-image forward; the last chunk is padded. A fixed forward shape makes a
     * sample's pixels independent of the batch it shares (libtorch picks kernels by batch size). 2 is
     * one guided sample: no padding at low load, about a third less throughput than one big forward
     * under full load (README, Performance). 0 = one forward of any size: fastest, but reproducible
     * only for identical batches.
     */
    @WithDefault("2")
    int forwardRows();

    /** The same for super-resolution forwards, which are big enough (128x128) to run one row at a time. */
    @WithDefault("1")
    int srForwardRows();

    /**
     * Inpainting and outpainting: how many times each step is taken again after a jump back to its noise level
     * (RePaint's resampling), so the drawn part agrees with the kept part; each costs one more model pass per step.
     */
    @WithDefault("" + dev.genq.storage.job.VariationSteps.DEFAULT_INPAINT_RESAMPLES)
    int inpaintResamples();

    /** Intra-op threads for libtorch. */
    @WithDefault("2")
    int threads();

    /** Jobs whose results are stored (PNG, S3, Postgres, Kafka) at the same time, off the batcher thread. */
    @WithDefault("4")
    int finisherThreads();

    @WithDefault("genq-workers")
    String consumerGroup();

    /** Attempts at a job whose infrastructure (database, object store, Kafka) keeps failing. */
    @WithDefault("5")
    int maxAttempts();

    /** First retry delay; it doubles up to {@link #maxBackoff()}. */
    @WithDefault("PT0.5S")
    Duration retryBackoff();

    @WithDefault("PT10S")
    Duration maxBackoff();

    /**
     * How long a job stays this worker's without a renewal; renewed every third of it. If the worker dies,
     * the gateway's sweeper re-queues the job once the lease has run out.
     */
    @WithDefault("PT30S")
    Duration lease();

    /**
     * How often the worker looks for model packages registered or unregistered at run time (POST /v1/admin/models)
     * and says it is alive (the gateway routes a registered version once every live worker loaded it).
     */
    @WithDefault("PT2S")
    Duration packagePoll();

    /**
     * How long a job whose model version is not loaded here waits for this worker's package loads before it fails
     * {@code model_unavailable}: a worker that just started loads the registered packages in the background while
     * its consumer already takes jobs, and a version registered a moment ago may reach it before its next poll.
     */
    @WithDefault("PT2M")
    Duration modelLoadWait();
}
