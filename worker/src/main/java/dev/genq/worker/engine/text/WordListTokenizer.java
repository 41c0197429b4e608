package dev.genq.worker.engine.text;

import dev.genq.storage.inference.Tokenizer;
import java.nio.file.Path;

/** A v1 package's vocabulary file: one word per line, its line number the id (see {@link Tokenizer}). */
public final class WordListTokenizer implements PromptTokenizer {
    private final Tokenizer words;

    private WordListTokenizer(Tokenizer words) {
        this.words = words;
    }

    public static WordListTokenizer load(Path vocab, int maxTokens) {
        return new WordListTokenizer(Tokenizer.load(vocab, maxTokens));
    }

    @Override
    public Tokenizer.Tokens encode(String text) {
        return words.encode(text);
    }

    @Override
    public int maxTokens() {
        return words.maxTokens();
    }

    @Override
    public void close() {
        // nothing native
    }
}
