package dev.genq.worker.engine.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.storage.inference.Tokenizer;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A v2 package's Hugging Face {@code tokenizer.json} (CLIP's BPE, T5's unigram: whatever the file describes),
 * run by the tokenizers library DJL bundles (its native library ships in the jar; nothing is fetched). Every
 * prompt is truncated to the model's length (special tokens included) and padded to it with the token the text
 * encoder was trained with: the file's own padding section, or, where the file has none (many CLIP exports say
 * {@code "padding": null}), the package's {@code text_encoder.pad_token}; with neither the package is refused
 * rather than padded with the library's default id 0, which is a real token in CLIP's vocabulary.
 */
public final class TokenizerJson implements PromptTokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;
    private final long padId;

    private TokenizerJson(HuggingFaceTokenizer tokenizer, int maxTokens, long padId) {
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
        this.padId = padId;
    }

    /** @param padToken the package's {@code text_encoder.pad_token}, or null to use the file's padding section */
    public static TokenizerJson load(Path file, int maxTokens, String padToken) {
        // DJL's usage tracking would reach for the network on first use: off, like every other probe
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
        Path dir = file.getParent();
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelPackageException(dir, "'" + file.getFileName() + "' is not valid JSON: " + e.getMessage());
        }
        String pad = padToken != null ? padToken : json.path("padding").path("pad_token").asText(null);
        if (pad == null) {
            throw new ModelPackageException(dir, "'" + file.getFileName() + "' has no padding section: name the token the "
                    + "text encoder was trained with as text_encoder.pad_token (CLIP: <|endoftext|>)");
        }
        long padId = idOf(json, pad);
        if (padId < 0) {
            throw new ModelPackageException(dir, "pad token '" + pad + "' is not in '" + file.getFileName() + "'");
        }
        try {
            // padding is done here, with padId, whatever the file says; the library only truncates
            return new TokenizerJson(HuggingFaceTokenizer.newInstance(file, Map.of("maxLength", Integer.toString(maxTokens),
                    "padding", "false", "truncation", "true", "addSpecialTokens", "true")), maxTokens, padId);
        } catch (IOException | RuntimeException e) {
            throw new ModelPackageException(dir, "'" + file.getFileName() + "' is not a loadable tokenizer.json: "
                    + e.getMessage(), e);
        }
    }

    private static long idOf(JsonNode json, String token) {
        for (JsonNode added : json.path("added_tokens")) {
            if (token.equals(added.path("content").asText())) {
                return added.path("id").asLong();
            }
        }
        JsonNode id = json.path("model").path("vocab").path(token);
        return id.isIntegralNumber() ? id.asLong() : -1;
    }

    @Override
    public Tokenizer.Tokens encode(String text) {
        Encoding e = tokenizer.encode(text);
        long[] ids = e.getIds();
        if (ids.length > maxTokens) {
            throw new IllegalStateException("tokenizer.json gave " + ids.length + " ids, the model takes " + maxTokens);
        }
        long[] padded = Arrays.copyOf(ids, maxTokens);
        Arrays.fill(padded, ids.length, maxTokens, padId);
        return new Tokenizer.Tokens(padded, e.exceedMaxLength());
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
