package dev.genq.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genq.local.EmbeddedStack;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.objectstore.ObjectStoreSettings;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.ModelPackageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package stored under an S3 prefix loads like a folder, against the real embedded S3 server, and only when
 * every file matches model.json's sha256 list (and model.json its pin, where the location has one).
 */
class ModelSourceTest {
    static final Path FIXTURE = Path.of("../models/fixtures/tiny-base");
    static final ObjectMapper JSON = new ObjectMapper();

    /** The fixture's files, with model.json given a sha256 list of the others (or none). */
    static Map<String, byte[]> packageFiles(boolean withList) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(FIXTURE)) {
            for (Path f : all.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        if (withList) {
            ObjectNode manifest = (ObjectNode) JSON.readTree(files.get("model.json"));
            ObjectNode list = manifest.putObject("sha256");
            files.forEach((name, bytes) -> {
                if (!name.equals("model.json")) {
                    list.put(name, dev.genq.storage.job.Sha256.hex(bytes));
                }
            });
            files.put("model.json", JSON.writeValueAsBytes(manifest));
        }
        return files;
    }

    static ObjectStore upload(String prefix, Map<String, byte[]> files) {
        ObjectStore store = new ObjectStore(settings(EmbeddedStack.shared()));
        store.ensureBucket("genq-models");
        files.forEach((name, bytes) -> store.put("genq-models", prefix + name, bytes, "application/octet-stream"));
        return store;
    }

    static ModelPackageException refused(ModelSource source, String location) {
        return assertThrows(ModelPackageException.class, () -> source.resolve(location));
    }

    @Test
    void loadsAPackageFromAnS3PrefixWhoseFilesMatchItsList(@TempDir Path cache) throws Exception {
        Map<String, byte[]> files = packageFiles(true);
        ObjectStore store = upload("tiny-base/1/", files);
        System.setProperty("ai.djl.offline", "true");
        ModelSource source = new ModelSource(store, cache);
        Path local = source.resolve("s3://genq-models/tiny-base/1/");
        assertTrue(local.startsWith(cache));
        try (LoadedModel model = LoadedModel.load(local, Device.cpu())) {
            assertEquals("tiny-base@1", model.spec().nameAtVersion());
        }
        String pinned = "s3://genq-models/tiny-base/1#sha256=" + dev.genq.storage.job.Sha256.hex(files.get("model.json"));
        assertEquals(local, source.resolve(pinned), "the right pin loads");
        var wrongPin = refused(source, "s3://genq-models/tiny-base/1#sha256=" + "0".repeat(64));
        assertTrue(wrongPin.getMessage().contains("the location pins"), wrongPin.getMessage());
        var missing = refused(source, "s3://genq-models/nothing-here");
        assertTrue(missing.getMessage().contains("no objects under s3://genq-models/nothing-here"), missing.getMessage());
    }

    @Test
    void weightsChangedInTheBucketAreRefusedBeforeTheyReachTheDisk(@TempDir Path cache) throws Exception {
        Map<String, byte[]> files = packageFiles(true);
        byte[] denoiser = files.get("denoiser.pt").clone();
        denoiser[denoiser.length / 2] ^= 1; // one bit
        files.put("denoiser.pt", denoiser);
        ModelSource source = new ModelSource(upload("tampered/1/", files), cache);
        var e = refused(source, "s3://genq-models/tampered/1");
        assertTrue(e.getMessage().contains("'denoiser.pt' has sha256"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("genq-models/tampered/1/denoiser.pt")), "the changed file was never written");
    }

    @Test
    void aPackageWithoutAListAnUnlistedFileOrAListedFileMissingIsRefused(@TempDir Path cache) throws Exception {
        ModelSource noList = new ModelSource(upload("unlisted/1/", packageFiles(false)), cache);
        assertTrue(refused(noList, "s3://genq-models/unlisted/1").getMessage().contains("no sha256 list"));

        Map<String, byte[]> extra = packageFiles(true);
        extra.put("extra.pt", new byte[] {1, 2, 3});
        ModelSource withExtra = new ModelSource(upload("extra/1/", extra), cache);
        assertTrue(refused(withExtra, "s3://genq-models/extra/1").getMessage().contains("'extra.pt' is not in model.json's sha256 list"));

        Map<String, byte[]> lacking = packageFiles(true);
        lacking.remove("vocab.txt");
        ModelSource withoutVocab = new ModelSource(upload("lacking/1/", lacking), cache);
        assertTrue(refused(withoutVocab, "s3://genq-models/lacking/1").getMessage().contains("'vocab.txt' is in model.json's sha256 list but not in the package"));
    }

    @Test
    void aFolderWithAListIsCheckedAgainstIt(@TempDir Path dir) throws Exception {
        Map<String, byte[]> files = packageFiles(true);
        for (var f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        ModelSource source = new ModelSource(null, dir.resolve("cache"));
        assertEquals(dir.toAbsolutePath().normalize(), source.resolve(dir.toString()));
        Files.write(dir.resolve("vocab.txt"), "changed\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(refused(source, dir.toString()).getMessage().contains("'vocab.txt' has sha256"));
        assertEquals(FIXTURE.toAbsolutePath().normalize(), source.resolve(FIXTURE.toString()), "a folder without a list loads as before");
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
