package dev.genq.worker.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The noise schedule and what the denoiser predicts, in diffusers' {@code scheduler_config.json} terms, so a
 * diffusers pipeline's file is copied into a package unchanged. A v1 package's {@code schedule} block and
 * {@code prediction} map onto the same record ({@link #v1}). Fields diffusers has and genq does not honour are
 * refused where they change the result ({@code trained_betas}, {@code thresholding}) and otherwise ignored:
 * {@code _class_name} (genq's samplers are chosen per job), and {@code set_alpha_to_one}: genq's samplers end at
 * alpha-bar 1 (diffusers with false ends at alpha-bar(0), 0.99915 for SD: a difference below a step's noise).
 *
 * @param clipSampleRange where the samplers clip x0, or infinity: {@code clip_sample} (diffusers' default true; for a
 *                        latent package false) with {@code clip_sample_range} (default 1); v1 packages, pixel space,
 *                        always clip at 1
 */
public record SchedulerConfig(BetaSchedule betaSchedule, double betaStart, double betaEnd, int numTrainTimesteps,
                              Prediction prediction, TimestepSpacing timestepSpacing, int stepsOffset,
                              boolean rescaleBetasZeroSnr, double clipSampleRange) {
    /** The file a v2 package may carry beside model.json. */
    public static final String FILE = "scheduler_config.json";

    /** The alpha-bar schedule these fields describe, visited as they say. */
    public NoiseSchedule schedule() {
        return NoiseSchedule.of(betaSchedule.betas(betaStart, betaEnd, numTrainTimesteps), rescaleBetasZeroSnr,
                timestepSpacing, stepsOffset, clipSampleRange);
    }

    /** A v1 package: {@code linear} (1e-4 to 0.02) or {@code cosine}, its spacing, epsilon or v. */
    static SchedulerConfig v1(String type, int timesteps, Prediction prediction, TimestepSpacing spacing) {
        return new SchedulerConfig("linear".equals(type) ? BetaSchedule.LINEAR : BetaSchedule.SQUAREDCOS_CAP_V2, 1e-4, 0.02,
                timesteps, prediction, spacing, 0, false, 1.0);
    }

    /**
     * A diffusers {@code scheduler_config.json}, with diffusers' defaults for absent fields; each problem is added
     * to {@code problems} (and null returned) rather than thrown, so a package's every fault is named at once.
     */
    static SchedulerConfig diffusers(JsonNode json, List<String> problems) {
        return diffusers(json, problems, false);
    }

    /**
     * @param latent the package draws latents: an absent {@code clip_sample} means no clipping (DDIM's and DDPM's
     *               default of true is for pixels; Euler's and DPM-Solver's configs leave the field out and never clip)
     */
    static SchedulerConfig diffusers(JsonNode json, List<String> problems, boolean latent) {
        int before = problems.size();
        String betaText = json.path("beta_schedule").asText("linear");
        BetaSchedule beta = BetaSchedule.ofWire(betaText);
        if (beta == null) {
            problems.add(FILE + ": beta_schedule must be 'linear', 'scaled_linear' or 'squaredcos_cap_v2', not '" + betaText + "'");
        }
        String predictionText = json.path("prediction_type").asText("epsilon");
        Prediction prediction = "v".equals(predictionText) ? null : Prediction.ofWire(predictionText);
        if (prediction == null) {
            problems.add(FILE + ": prediction_type must be 'epsilon', 'v_prediction' or 'sample', not '" + predictionText + "'");
        }
        String spacingText = json.path("timestep_spacing").asText("leading");
        // diffusers' "leading" divides by an integer ratio (genq's v1 "leading" does not): the diffusers meaning here
        TimestepSpacing spacing = switch (spacingText) {
            case "leading" -> TimestepSpacing.LEADING_INTEGER_RATIO;
            case "trailing" -> TimestepSpacing.TRAILING;
            case "linspace" -> TimestepSpacing.LINSPACE;
            default -> null;
        };
        if (spacing == null) {
            problems.add(FILE + ": timestep_spacing must be 'leading', 'trailing' or 'linspace', not '" + spacingText + "'");
        }
        int timesteps = json.path("num_train_timesteps").asInt(1000);
        if (timesteps < 2) {
            problems.add(FILE + ": num_train_timesteps must be at least 2");
        }
        double start = json.path("beta_start").asDouble(1e-4);
        double end = json.path("beta_end").asDouble(0.02);
        if (!(start > 0 && start < end && end < 1)) {
            problems.add(FILE + ": beta_start and beta_end must satisfy 0 < beta_start < beta_end < 1");
        }
        int offset = json.path("steps_offset").asInt(0);
        if (offset < 0 || offset >= timesteps) {
            problems.add(FILE + ": steps_offset must be between 0 and num_train_timesteps - 1");
        }
        if (!json.path("trained_betas").isMissingNode() && !json.path("trained_betas").isNull()) {
            problems.add(FILE + ": trained_betas is not supported; name a beta_schedule");
        }
        if (json.path("thresholding").asBoolean(false)) {
            problems.add(FILE + ": thresholding (dynamic thresholding) is not supported");
        }
        boolean zeroSnr = json.path("rescale_betas_zero_snr").asBoolean(false);
        if (zeroSnr && prediction == Prediction.EPSILON) {
            // at the last timestep x_t is pure noise: predicted noise says nothing about the image (Lin et al. 2023)
            problems.add(FILE + ": rescale_betas_zero_snr needs prediction_type 'v_prediction' or 'sample', not 'epsilon'");
        }
        double clipRange = json.path("clip_sample_range").asDouble(1.0);
        if (!(clipRange > 0) || Double.isInfinite(clipRange)) {
            problems.add(FILE + ": clip_sample_range must be a positive number");
        }
        if (problems.size() > before) {
            return null;
        }
        return new SchedulerConfig(beta, start, end, timesteps, prediction, spacing, offset, zeroSnr,
                json.path("clip_sample").asBoolean(!latent) ? clipRange : Double.POSITIVE_INFINITY);
    }
}
