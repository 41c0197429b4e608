package dev.genq.moderation.safety;

import java.util.List;
import java.util.Map;

/**
 * What moderation decided about one sample and why.
 *
 * @param image    the classifier's score per concept
 * @param prompt   concepts the prompt matched
 * @param flagged  concepts over their threshold or in the prompt
 * @param reasons  one human-readable line per flagged concept
 */
public record Verdict(Map<String, Double> image, List<String> prompt, List<String> flagged, boolean quarantine,
                      List<String> reasons, String classifier) {
}
