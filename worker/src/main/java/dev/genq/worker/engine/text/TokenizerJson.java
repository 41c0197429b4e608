package dev.genq.worker.engine.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.genq.storage.inference.Tokenizer;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A v2 package's Hugging Face {@code tokenizer.json} (CLIP's BPE, T5's unigram: whatever the file describes),
 * run by the tokenizers library DJL bundles (its native library ships in the jar; nothing is fetched). Every
 * prompt is truncated to the model's length and padded to it with the file's own padding token, as the text
 * encoder was trained; special tokens (start and end of text) come from the file's post-processor.
 */
public final class TokenizerJson implements PromptTokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;

    private TokenizerJson(HuggingFaceTokenizer tokenizer, int maxTokens) {
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    public static TokenizerJson load(Path file, int maxTokens) {
        // DJL's usage tracking would reach for the network on first use: off, like every other probe
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
        try {
            return new TokenizerJson(HuggingFaceTokenizer.newInstance(file, Map.of(
                    "maxLength", Integer.toString(maxTokens), "padding", "max_length", "truncation", "true",
                    "addSpecialTokens", "true")), maxTokens);
        } catch (IOException | RuntimeException e) {
            throw new ModelPackageException(file.getParent(), "'" + file.getFileName() + "' is not a loadable tokenizer.json: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Tokenizer.Tokens encode(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        if (ids.length != maxTokens) {
            throw new IllegalStateException("tokenizer.json gave " + ids.length + " ids, the model takes " + maxTokens);
        }
        return new Tokenizer.Tokens(ids, e.exceedMaxLength());
    }

    @Override
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
