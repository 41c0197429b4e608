package dev.genq.worker.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json's schedule.timestep_spacing: optional, one of diffusers' names, anything else refused at load. */
class ModelSpecTest {
    static final Path FIXTURE = Path.of("../models/fixtures/tiny-base").toAbsolutePath().normalize();

    static Path withSpacing(Path dir, String spacing) throws IOException {
        try (Stream<Path> files = Files.list(FIXTURE)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("model.json").toFile());
        ObjectNode schedule = (ObjectNode) manifest.path("schedule");
        if (spacing != null) {
            schedule.put("timestep_spacing", spacing);
        }
        manifest.remove("sha256");
        json.writeValue(dir.resolve("model.json").toFile(), manifest);
        return dir;
    }

    @Test
    void absentMeansLeadingWhatOlderPackagesWereSampledWith(@TempDir Path dir) throws IOException {
        assertEquals(TimestepSpacing.LEADING, ModelSpec.read(withSpacing(dir, null)).timestepSpacing());
    }

    @Test
    void trailingIsRead(@TempDir Path dir) throws IOException {
        assertEquals(TimestepSpacing.TRAILING, ModelSpec.read(withSpacing(dir, "trailing")).timestepSpacing());
    }

    @Test
    void anUnknownSpacingRefusesThePackageAndSaysWhy(@TempDir Path dir) throws IOException {
        var e = assertThrows(ModelPackageException.class, () -> ModelSpec.read(withSpacing(dir, "sideways")));
        assertTrue(e.getMessage().contains("schedule.timestep_spacing must be 'leading', 'trailing' or 'linspace', not 'sideways'"),
                e.getMessage());
    }
}
