package dev.genq.api.policy;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns text into the words a policy term is matched against, undoing the usual evasions: case, accents
 * ({@code pístol}), look-alike Cyrillic letters, invisible characters, digit and symbol substitutions
 * ({@code p1st0l}, {@code $word}) and spaced or dotted letters ({@code P I S T O L}, {@code p.i.s.t.o.l}).
 * Words stay words, so {@code pistachio} or {@code top is tolerable} do not contain {@code pistol}.
 */
public final class TextNormalizer {
    private static final Map<Character, Character> LEET = Map.ofEntries(
            Map.entry('0', 'o'), Map.entry('1', 'i'), Map.entry('3', 'e'), Map.entry('4', 'a'), Map.entry('5', 's'),
            Map.entry('7', 't'), Map.entry('8', 'b'), Map.entry('@', 'a'), Map.entry('$', 's'), Map.entry('!', 'i'),
            Map.entry('|', 'i'), Map.entry('+', 't'), Map.entry('€', 'e'));
    private static final Map<Character, Character> CONFUSABLE = Map.ofEntries(
            Map.entry('а', 'a'), Map.entry('е', 'e'), Map.entry('о', 'o'), Map.entry('р', 'p'), Map.entry('с', 'c'),
            Map.entry('х', 'x'), Map.entry('у', 'y'), Map.entry('і', 'i'), Map.entry('ѕ', 's'), Map.entry('к', 'k'),
            Map.entry('т', 't'), Map.entry('ı', 'i'));

    private TextNormalizer() {
    }

    /**
     * A normalized word; {@code spelled} if it was written letter by letter ("p i s t o l"), in which case
     * neighbouring one-letter words ("a") may have been merged into it.
     */
    public record Word(String text, boolean spelled) {
    }

    /** The normalized words of {@code text}, in order. */
    public static List<String> words(String text) {
        return tokens(text).stream().map(Word::text).toList();
    }

    public static List<Word> tokens(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        StringBuilder cleaned = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK || type == Character.FORMAT) {
                continue; // accents after NFKD, zero-width joiners and friends
            }
            cleaned.append(CONFUSABLE.getOrDefault(c, c));
        }
        // raw tokens: letters, digits and substitution symbols inside or in front of a word; everything else separates
        List<String> raw = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < cleaned.length(); i++) {
            if (wordChar(cleaned, i)) {
                token.append(cleaned.charAt(i));
            } else if (token.length() > 0) {
                raw.add(token.toString());
                token.setLength(0);
            }
        }
        if (token.length() > 0) {
            raw.add(token.toString());
        }
        // runs of single characters are one spelled-out word: "p i s t o l"
        List<Word> merged = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (String t : raw) {
            if (t.length() == 1) {
                run.append(t);
                continue;
            }
            if (run.length() > 0) {
                merged.add(new Word(run.toString(), run.length() > 1));
                run.setLength(0);
            }
            merged.add(new Word(t, false));
        }
        if (run.length() > 0) {
            merged.add(new Word(run.toString(), run.length() > 1));
        }
        List<Word> out = new ArrayList<>(merged.size());
        for (Word w : merged) {
            out.add(w.text().chars().anyMatch(Character::isLetter) ? new Word(unleet(w.text()), w.spelled()) : w); // "1999" stays a number
        }
        return out;
    }

    /**
     * A substitution symbol counts as a letter only before a letter or digit, and (but for $ and @, which
     * start words) after one: "p!stol" and "$word" are words, the "!" of "gun!" is punctuation.
     */
    private static boolean wordChar(CharSequence s, int i) {
        char c = s.charAt(i);
        if (Character.isLetterOrDigit(c)) {
            return true;
        }
        if (!LEET.containsKey(c)) {
            return false;
        }
        boolean next = i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i + 1));
        boolean prev = i > 0 && Character.isLetterOrDigit(s.charAt(i - 1));
        return next && (prev || c == '$' || c == '@');
    }

    private static String unleet(String t) {
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(LEET.getOrDefault(c, c));
        }
        return b.toString();
    }
}
