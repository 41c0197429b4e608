package dev.genq.api.policy;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Matches a prompt against every concept's terms, after {@link TextNormalizer}. */
@ApplicationScoped
public class PromptPolicy {

    /** A concept the prompt asks for, and what the policy does about it. */
    public record Match(String concept, PolicySettings.Action action) {
    }

    private final Map<String, List<List<String>>> terms = new TreeMap<>();
    private final PolicySettings settings;

    public PromptPolicy(PolicySettings settings) {
        this.settings = settings;
        settings.concepts().forEach((concept, c) -> {
            List<List<String>> phrases = new ArrayList<>();
            for (String term : c.terms()) {
                List<String> words = TextNormalizer.words(term);
                if (!words.isEmpty()) {
                    phrases.add(words);
                }
            }
            terms.put(concept, phrases);
        });
    }

    public PolicySettings settings() {
        return settings;
    }

    /** The concepts {@code prompt} matches, in name order. */
    public List<Match> match(String prompt) {
        List<TextNormalizer.Word> tokens = TextNormalizer.tokens(prompt);
        List<String> words = tokens.stream().map(TextNormalizer.Word::text).toList();
        List<String> spelled = tokens.stream().filter(TextNormalizer.Word::spelled).map(TextNormalizer.Word::text).toList();
        List<Match> out = new ArrayList<>();
        terms.forEach((concept, phrases) -> {
            if (phrases.stream().anyMatch(p -> contains(words, p)
                    || spelled.stream().anyMatch(w -> w.contains(String.join("", p))))) {
                out.add(new Match(concept, settings.concepts().get(concept).action()));
            }
        });
        return out;
    }

    /** The first concept with action {@code block} that the prompt matches, if any. */
    public java.util.Optional<String> blocked(String prompt) {
        return match(prompt).stream().filter(m -> m.action() == PolicySettings.Action.BLOCK).map(Match::concept).findFirst();
    }

    private static boolean contains(List<String> words, List<String> phrase) {
        outer:
        for (int i = 0; i + phrase.size() <= words.size(); i++) {
            for (int j = 0; j < phrase.size(); j++) {
                if (!sameWord(words.get(i + j), phrase.get(j))) {
                    continue outer;
                }
            }
            return true;
        }
        // a phrase written as one word: "middlefinger", "m i d d l e f i n g e r"
        if (phrase.size() > 1) {
            String joined = String.join("", phrase);
            return words.stream().anyMatch(w -> sameWord(w, joined));
        }
        return false;
    }

    private static boolean sameWord(String word, String term) {
        return word.equals(term) || word.equals(term + "s") || word.equals(term + "es");
    }
}
