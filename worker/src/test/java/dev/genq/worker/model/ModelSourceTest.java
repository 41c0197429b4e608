package dev.genq.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.genq.local.EmbeddedStack;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.objectstore.ObjectStoreSettings;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.ModelPackageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A package stored under an S3 prefix loads like a folder, against the real embedded S3 server. */
class ModelSourceTest {

    @Test
    void loadsAPackageFromAnS3Prefix(@TempDir Path cache) throws Exception {
        EmbeddedStack stack = EmbeddedStack.shared();
        ObjectStore store = new ObjectStore(settings(stack));
        store.ensureBucket("genq-models");
        Path fixture = Path.of("../models/fixtures/tiny-base");
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                store.put("genq-models", "tiny-base/1/" + f.getFileName(), Files.readAllBytes(f), "application/octet-stream");
            }
        }
        System.setProperty("ai.djl.offline", "true");
        ModelSource source = new ModelSource(store, cache);
        Path local = source.resolve("s3://genq-models/tiny-base/1/");
        assertTrue(local.startsWith(cache));
        try (LoadedModel model = LoadedModel.load(local, Device.cpu())) {
            assertEquals("tiny-base@1", model.spec().nameAtVersion());
        }
        var missing = assertThrows(ModelPackageException.class, () -> source.resolve("s3://genq-models/nothing-here"));
        assertTrue(missing.getMessage().contains("no objects under s3://genq-models/nothing-here"), missing.getMessage());
    }

    static ObjectStoreSettings settings(EmbeddedStack stack) {
        return new ObjectStoreSettings() {
            public String endpoint() {
                return stack.s3Endpoint();
            }

            public String accessKey() {
                return EmbeddedStack.S3_ACCESS_KEY;
            }

            public String secretKey() {
                return EmbeddedStack.S3_SECRET_KEY;
            }

            public String region() {
                return "us-east-1";
            }

            public Duration presignExpiry() {
                return Duration.ofMinutes(5);
            }

            public boolean createBuckets() {
                return false;
            }
        };
    }
}
