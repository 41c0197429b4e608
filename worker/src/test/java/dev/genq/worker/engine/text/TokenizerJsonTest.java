package dev.genq.worker.engine.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        JsonNode golden = new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
        int length = golden.path("max_length").asInt();
        try (TokenizerJson tokenizer = TokenizerJson.load(DIR.resolve("tokenizer.json"), length)) {
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
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Sideways\"}}");
        var e = assertThrows(ModelPackageException.class, () -> TokenizerJson.load(dir.resolve("tokenizer.json"), 16));
        assertTrue(e.getMessage().contains("is not a loadable tokenizer.json"), e.getMessage());
    }
}
