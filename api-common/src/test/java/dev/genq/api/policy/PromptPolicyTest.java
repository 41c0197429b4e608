package dev.genq.api.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The text policy on a table of evasions that must be caught and near misses that must pass. */
class PromptPolicyTest {

    record Concept(OptionalDouble threshold, PolicySettings.Action action, List<String> terms) implements PolicySettings.Concept {
    }

    static final PromptPolicy POLICY = new PromptPolicy(() -> Map.of(
            "weapon", new Concept(OptionalDouble.empty(), PolicySettings.Action.BLOCK, List.of("pistol", "gun", "knife", "axe", "bow and arrow")),
            "offensive_gesture", new Concept(OptionalDouble.empty(), PolicySettings.Action.BLOCK, List.of("middle finger")),
            "alcohol", new Concept(OptionalDouble.empty(), PolicySettings.Action.RELEASE, List.of("beer", "wine"))));

    static String matched(String prompt) {
        return POLICY.match(prompt).stream().map(m -> m.concept() + ":" + m.action().wire()).collect(Collectors.joining(","));
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = ';', value = {
            // caught: case, accents, substitutions, spacing, punctuation, look-alikes, invisible characters
            "a pistol;                          weapon:block",
            "A PISTOL;                          weapon:block",
            "a p1stol;                          weapon:block",
            "a P I S T O L on a table;          weapon:block",
            "a p.i.s.t.o.l;                     weapon:block",
            "a p-i-s-t-o-l;                     weapon:block",
            "a pístol;                          weapon:block",
            "a рistol;                          weapon:block",      // Cyrillic р
            "a pis\u200btol;                    weapon:block",      // zero-width space
            "two pistols;                       weapon:block",
            "a p!st0l;                          weapon:block",
            "a gun!;                            weapon:block",
            "(knife);                           weapon:block",
            "a bow and arrow;                   weapon:block",
            "a bow-and-arrow;                   weapon:block",
            "the middle finger;                 offensive_gesture:block",
            "m1ddle f1nger;                     offensive_gesture:block",
            "middlefinger;                      offensive_gesture:block",
            "a cold beer;                       alcohol:release",
            "wine and a gun;                    alcohol:release,weapon:block",
            // near misses: safe prompts that only look alike
            "a pistachio ice cream;             ''",
            "top is tolerable;                  ''",
            "a gunnel of a boat;                ''",
            "taxes are due;                     ''",
            "a penknife-shaped cloud;           ''",
            "a bowl and an arrow;               ''",
            "my middle name is finger;          ''",
            "a beetroot salad;                  ''",
            "1999 was a good year;              ''",
            "a red apple;                       ''",
    })
    void table(String prompt, String expected) {
        assertEquals(expected, matched(prompt));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource({"a p1stol, weapon", "a cold beer, ''"})
    void blockedNamesTheConcept(String prompt, String concept) {
        assertEquals(concept.isEmpty() ? Optional.empty() : Optional.of(concept), POLICY.blocked(prompt));
    }
}
