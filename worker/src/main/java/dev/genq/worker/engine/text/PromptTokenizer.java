package dev.genq.worker.engine.text;

import dev.genq.storage.inference.Tokenizer;

/**
 * Turns a prompt into the text encoder's fixed-length token ids. One kind per package format: genq's word list
 * ({@link WordListTokenizer}, v1) or a Hugging Face {@code tokenizer.json} ({@link TokenizerJson}, v2).
 */
public interface PromptTokenizer extends AutoCloseable {
    /** Exactly {@link #maxTokens()} ids, padded as the model was trained, and whether the prompt was cut. */
    Tokenizer.Tokens encode(String text);

    int maxTokens();

    @Override
    void close();
}
