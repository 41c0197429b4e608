package dev.genq.storage.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word-level tokenizer of the model packages (the worker's text encoders, moderation's judge), matching
 * the training recipe: lower-case, split on anything that is not a letter or digit, look each word up in
 * the vocabulary (line number = id). Id 0 pads, id 1 is
 * {@code <unk>}: an unknown word is never an error. Prompts longer than {@code maxTokens} are cut.
 */
public final class Tokenizer {
    public static final int PAD = 0;
    public static final int UNK = 1;

    private final Map<String, Integer> ids = new HashMap<>();
    private final int maxTokens;

    public Tokenizer(List<String> vocabulary, int maxTokens) {
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.putIfAbsent(vocabulary.get(i), i);
        }
        this.maxTokens = maxTokens;
    }

    public static Tokenizer load(Path vocabFile, int maxTokens) {
        try {
            return new Tokenizer(Files.readAllLines(vocabFile, StandardCharsets.UTF_8), maxTokens);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Token ids padded to {@code maxTokens}, and whether words were cut off. */
    public record Tokens(long[] ids, boolean truncated) {
    }

    public Tokens encode(String text) {
        long[] out = new long[maxTokens];
        int n = 0;
        boolean truncated = false;
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (n == maxTokens) {
                truncated = true;
                break;
            }
            out[n++] = ids.getOrDefault(word, UNK);
        }
        return new Tokens(out, truncated);
    }

    public int maxTokens() {
        return maxTokens;
    }
}
