package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.storage.inference.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package with several text encoders (tiny-sd: tiny-v2's encoder and a second, 24 wide, with its own tokenizer
 * file padded with the package's "!"): each tokenizer's ids one after the other, each encoder given its own slice,
 * outputs concatenated along the features in the order declared; encoders whose outputs cannot be joined are refused
 * at load.
 */
class TextEncodersTest {
    static final Path MODELS = Path.of("../models/fixtures").toAbsolutePath().normalize();

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @Test
    void eachEncoderGetsItsOwnTokensAndTheOutputsAreJoinedAsDeclared() {
        try (LoadedModel sd = LoadedModel.load(MODELS.resolve("tiny-sd"), Device.cpu());
             LoadedModel v2 = LoadedModel.load(MODELS.resolve("tiny-v2"), Device.cpu());
             NDManager m = sd.manager().newSubManager()) {
            assertEquals(2, sd.spec().textEncoders().size());
            assertEquals(32, sd.tokenizer().maxTokens());
            Tokenizer.Tokens both = sd.tokenizer().encode("a red apple");
            long[] first = v2.tokenizer().encode("a red apple").ids();
            assertArrayEquals(first, Arrays.copyOfRange(both.ids(), 0, 16), "the first encoder's ids are tiny-v2's");
            long[] second = Arrays.copyOfRange(both.ids(), 16, 32);
            assertEquals(first[1], second[1], "the same vocabulary");
            assertNotEquals(first[15], second[15], "each file pads with its own token (the second with '!')");
            assertEquals(second[14], second[15]);

            NDArray cond = sd.encode(m, m.create(both.ids(), new Shape(1, 32)));
            assertEquals(new Shape(1, 16, 32 + 24), cond.getShape());
            NDArray alone = v2.encode(m, m.create(first, new Shape(1, 16)));
            float[] joined = cond.get(":, :, 0:32").toFloatArray();
            assertArrayEquals(alone.toFloatArray(), joined, 1e-6f, "the first 32 features are the first encoder's output");
            float[] rest = cond.get(":, :, 32:").toFloatArray();
            assertTrue(Arrays.stream(box(rest)).anyMatch(v -> Math.abs(v) > 1e-3), "the second encoder's features are there");
        }
    }

    @Test
    void encodersWhoseOutputsCannotBeJoinedAreRefusedAtLoad(@TempDir Path dir) throws IOException {
        // tiny-v2's sequence encoder [B, 16, 32] and tiny-base's pooled one [B, 64]: no axis but the last agrees
        try (Stream<Path> files = Files.list(MODELS.resolve("tiny-v2"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.copy(MODELS.resolve("tiny-base/text_encoder.pt"), dir.resolve("pooled.pt"));
        Files.copy(MODELS.resolve("tiny-base/vocab.txt"), dir.resolve("vocab.txt"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        ArrayNode encoders = manifest.putArray("text_encoder");
        encoders.addObject().put("file", "text_encoder.pt").put("tokenizer", "tokenizer.json").put("max_tokens", 16);
        encoders.addObject().put("file", "pooled.pt").put("vocab", "vocab.txt").put("max_tokens", 16);
        json.writeValue(dir.resolve("model.json").toFile(), manifest);
        var e = assertThrows(ModelPackageException.class, () -> LoadedModel.load(dir, Device.cpu()));
        assertTrue(e.getMessage().contains("text encoders failed"), e.getMessage());
    }

    static Float[] box(float[] a) {
        Float[] out = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
