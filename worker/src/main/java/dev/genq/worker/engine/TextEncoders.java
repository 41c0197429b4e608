package dev.genq.worker.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.genq.worker.engine.text.ConcatenatedTokenizer;
import dev.genq.worker.engine.text.PromptTokenizer;
import dev.genq.worker.engine.text.TokenizerJson;
import dev.genq.worker.engine.text.WordListTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A text-to-image package's text encoders, each with its own tokenizer, run as one: a prompt's ids are every
 * tokenizer's ids one after the other, each encoder is given its slice, and their outputs are concatenated along
 * the last axis in the order declared, as SDXL joins its two CLIP encoders ([B, 77, 768] and [B, 77, 1280] make
 * [B, 77, 2048]). One encoder is simply that encoder.
 */
final class TextEncoders implements AutoCloseable {
    private record Encoder(Model model, PromptTokenizer tokenizer) {
    }

    private final List<Encoder> encoders;
    private final PromptTokenizer tokenizer;

    private TextEncoders(List<Encoder> encoders) {
        this.encoders = encoders;
        this.tokenizer = encoders.size() == 1 ? encoders.get(0).tokenizer()
                : new ConcatenatedTokenizer(encoders.stream().map(Encoder::tokenizer).toList());
    }

    static TextEncoders load(Path dir, List<ModelSpec.TextEncoderSpec> specs, Device device) {
        List<Encoder> loaded = new ArrayList<>();
        try {
            for (ModelSpec.TextEncoderSpec te : specs) {
                Model model = LoadedModel.torchScript(dir, te.file(), device);
                try {
                    loaded.add(new Encoder(model, te.tokenizer() != null
                            ? TokenizerJson.load(dir.resolve(te.tokenizer()), te.maxTokens(), te.padToken())
                            : WordListTokenizer.load(dir.resolve(te.vocab()), te.maxTokens())));
                } catch (RuntimeException e) {
                    model.close();
                    throw e;
                }
            }
            return new TextEncoders(loaded);
        } catch (RuntimeException e) {
            closeAll(loaded);
            throw e;
        }
    }

    /** Every encoder's tokenizer as one ({@link ConcatenatedTokenizer} when there are several). */
    PromptTokenizer tokenizer() {
        return tokenizer;
    }

    /** Token ids [B, sum of max_tokens] (int64) to prompt embeddings. */
    NDArray encode(NDManager m, NDArray ids) {
        if (encoders.size() == 1) {
            return forward(encoders.get(0), m, ids);
        }
        NDList outputs = new NDList();
        int from = 0;
        for (Encoder e : encoders) {
            int to = from + e.tokenizer().maxTokens();
            outputs.add(forward(e, m, ids.get(":, " + from + ":" + to)));
            from = to;
        }
        return NDArrays.concat(outputs, -1);
    }

    private static NDArray forward(Encoder e, NDManager m, NDArray ids) {
        return e.model().getBlock().forward(new ParameterStore(m, false), new NDList(ids), false).singletonOrThrow();
    }

    private static void closeAll(List<Encoder> encoders) {
        for (Encoder e : encoders) {
            e.model().close();
            e.tokenizer().close();
        }
    }

    @Override
    public void close() {
        closeAll(encoders);
    }
}
