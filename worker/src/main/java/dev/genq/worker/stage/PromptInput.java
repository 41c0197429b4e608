package dev.genq.worker.stage;

import dev.genq.storage.inference.Tokenizer;
import dev.genq.worker.engine.text.PromptTokenizer;
import dev.genq.worker.engine.DiffusionEngine.TextSample;

/**
 * The base stage's input preparation (DJL's PreProcessor): a job's prompt and negative prompt are
 * tokenized once, and each sample is that pair with its own seed.
 */
public record PromptInput(long[] promptTokens, long[] negativeTokens, boolean truncated) {

    public static PromptInput encode(PromptTokenizer tokenizer, String prompt, String negativePrompt) {
        Tokenizer.Tokens tokens = tokenizer.encode(prompt);
        return new PromptInput(tokens.ids(), tokenizer.encode(negativePrompt).ids(), tokens.truncated());
    }

    public TextSample sample(long seed, double guidanceScale) {
        return new TextSample(seed, promptTokens, negativeTokens, guidanceScale);
    }
}
