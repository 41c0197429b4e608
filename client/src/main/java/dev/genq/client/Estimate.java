package dev.genq.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;

/** The answer to a dry run ({@link GenqClient#estimate}): what a job would cost and wait; nothing was created. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Estimate(boolean dryRun, String model, String mode, int numSamples, int billedSteps, int upscaleSteps,
                       BigDecimal estimatedCostUsd, boolean costMeasured, boolean cacheHit, long queuePosition,
                       Double estimatedQueueSeconds) {
}
