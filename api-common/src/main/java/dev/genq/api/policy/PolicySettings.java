package dev.genq.api.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The moderation policy, shared by the gateway (which refuses prompts for blocked concepts) and moderation
 * (which scores images and prompts). Defaults live in this library's META-INF/microprofile-config.properties;
 * a deployment overrides any of them ({@code GENQ_POLICY_CONCEPTS_WEAPON_ACTION=block}).
 */
@ConfigMapping(prefix = "genq.policy")
public interface PolicySettings {

    /** Per concept, by the name the safety classifier uses for it. */
    Map<String, Concept> concepts();

    interface Concept {
        /**
         * The image score at or above which the concept is flagged. Unset: the classifier package's own
         * calibrated threshold ({@code model.json} {@code thresholds}), else 0.5.
         */
        OptionalDouble threshold();

        @WithDefault("quarantine")
        Action action();

        /** Words and phrases that flag a prompt; matched after normalization, as whole words (plural -s allowed). */
        @WithDefault("")
        List<String> terms();
    }

    enum Action {
        /** flagged and recorded, but the sample is released */
        RELEASE,
        /** the sample waits for a human */
        QUARANTINE,
        /** a prompt asking for it is refused at submit (an image showing it is quarantined) */
        BLOCK;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
