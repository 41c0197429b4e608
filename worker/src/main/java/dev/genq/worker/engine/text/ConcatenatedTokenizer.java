package dev.genq.worker.engine.text;

import dev.genq.storage.inference.Tokenizer;
import java.util.List;

/**
 * The tokenizers of a package with several text encoders, as one: each tokenizer's ids one after the other (the
 * engine hands each encoder its own slice), truncated if any of them cut the prompt.
 */
public final class ConcatenatedTokenizer implements PromptTokenizer {
    private final List<PromptTokenizer> parts;
    private final int maxTokens;

    public ConcatenatedTokenizer(List<PromptTokenizer> parts) {
        this.parts = List.copyOf(parts);
        this.maxTokens = parts.stream().mapToInt(PromptTokenizer::maxTokens).sum();
    }

    @Override
    public Tokenizer.Tokens encode(String text) {
        long[] ids = new long[maxTokens];
        boolean truncated = false;
        int at = 0;
        for (PromptTokenizer part : parts) {
            Tokenizer.Tokens t = part.encode(text);
            System.arraycopy(t.ids(), 0, ids, at, t.ids().length);
            at += t.ids().length;
            truncated |= t.truncated();
        }
        return new Tokenizer.Tokens(ids, truncated);
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        parts.forEach(PromptTokenizer::close);
    }
}
