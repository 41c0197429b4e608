package dev.genq.worker.engine.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.storage.inference.Tokenizer;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CLIP-style BPE tokenizer.json (models/fixtures/make_bpe_tokenizer.py) read through DJL's tokenizers: the ids
 * match the ones the script's own BPE gives, padded and truncated to the model's length with the special tokens.
 */
class TokenizerJsonTest {
    static final Path DIR = Path.of("../models/fixtures/tokenizer-bpe").toAbsolutePath().normalize();

    @Test
    void idsMatchTheGoldenIds() throws IOException {
        assertGolden(DIR.resolve("tokenizer.json"), null);
    }

    /** Many CLIP exports carry "padding": null; the package names the pad token instead, and the ids are the same. */
    @Test
    void aFileWithoutPaddingPadsWithThePackagesPadToken(@TempDir Path dir) throws IOException {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(DIR.resolve("tokenizer.json").toFile());
        json.putNull("padding");
        Path file = dir.resolve("tokenizer.json");
        new ObjectMapper().writeValue(file.toFile(), json);
        assertGolden(file, "<|endoftext|>");
        var e = assertThrows(ModelPackageException.class, () -> TokenizerJson.load(file, 16, null));
        assertTrue(e.getMessage().contains("has no padding section: name the token"), e.getMessage());
        e = assertThrows(ModelPackageException.class, () -> TokenizerJson.load(file, 16, "<pad>"));
        assertTrue(e.getMessage().contains("pad token '<pad>' is not in"), e.getMessage());
    }

    static void assertGolden(Path file, String padToken) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
        int length = golden.path("max_length").asInt();
        try (TokenizerJson tokenizer = TokenizerJson.load(file, length, padToken)) {
            for (JsonNode c : golden.path("cases")) {
                Tokenizer.Tokens tokens = tokenizer.encode(c.path("prompt").asText());
                assertArrayEquals(new ObjectMapper().convertValue(c.path("ids"), long[].class), tokens.ids(),
                        "'" + c.path("prompt").asText() + "'");
                assertEquals(c.path("truncated").asBoolean(), tokens.truncated(), "'" + c.path("prompt").asText() + "' cut");
            }
        }
    }

    @Test
    void aFileThatIsNoTokenizerRefusesThePackage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Sideways\", \"vocab\": {\"x\": 0}}}");
        var e = assertThrows(ModelPackageException.class, () -> TokenizerJson.load(dir.resolve("tokenizer.json"), 16, "x"));
        assertTrue(e.getMessage().contains("is not a loadable tokenizer.json"), e.getMessage());
    }
}
