package dev.genq.worker.model;

import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where a model package comes from: a local folder, or {@code s3://bucket/prefix}, whose objects are
 * mirrored into a local cache folder once at start (libtorch loads TorchScript from files). An S3 package's
 * model.json must list the sha256 of every other file ({@link PackageDigests}); each object is checked before
 * it is written to the cache. {@code s3://bucket/prefix#sha256=<hex>} also pins model.json itself, so whoever
 * can write to the bucket cannot change the list either. A folder's files are checked when it has a list.
 */
public final class ModelSource {
    static final String PIN = "#sha256=";

    private final ObjectStore store;
    private final Path cacheDir;

    public ModelSource(ObjectStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir;
    }

    /** @return the local folder holding the package, every listed file verified */
    public Path resolve(String location) {
        if (!location.startsWith("s3://")) {
            Path dir = Path.of(location).toAbsolutePath().normalize();
            verifyFolder(dir);
            return dir;
        }
        int pinAt = location.indexOf(PIN);
        String pin = pinAt < 0 ? null : location.substring(pinAt + PIN.length());
        String rest = (pinAt < 0 ? location : location.substring(0, pinAt)).substring("s3://".length());
        Path where = Path.of(location);
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new ModelPackageException(where, "an S3 location must look like s3://bucket/prefix");
        }
        String bucket = rest.substring(0, slash);
        String prefix = rest.substring(slash + 1).replaceAll("/+$", "") + "/";
        List<String> keys = store.list(bucket, prefix);
        if (keys.isEmpty()) {
            throw new ModelPackageException(where, "no objects under " + location);
        }
        if (!keys.contains(prefix + "model.json")) {
            throw new ModelPackageException(where, "model.json is missing under " + location);
        }
        byte[] manifest = store.get(bucket, prefix + "model.json");
        String manifestSha = dev.genq.storage.job.Sha256.hex(manifest);
        if (pin != null && !manifestSha.equals(pin)) {
            throw new ModelPackageException(where, "model.json has sha256 " + manifestSha + ", the location pins " + pin + "; refused");
        }
        PackageDigests digests = PackageDigests.of(where, manifest).orElseThrow(() -> new ModelPackageException(where,
                "model.json has no sha256 list; a package from S3 must list every file's sha256 (models/README.md)"));
        Path target = cacheDir.resolve(bucket).resolve(prefix).normalize();
        try {
            deleteContents(target); // nothing stale from an earlier version is left beside the verified files
            Files.createDirectories(target);
            Set<String> fetched = new HashSet<>();
            for (String key : keys) {
                String name = key.substring(prefix.length());
                Path file = target.resolve(name).normalize();
                if (!file.startsWith(target)) {
                    throw new ModelPackageException(where, "object key escapes the package: " + key);
                }
                byte[] bytes = name.equals("model.json") ? manifest : store.get(bucket, key);
                if (!name.equals("model.json")) {
                    digests.verify(where, name, bytes); // before it touches the disk
                    fetched.add(name);
                }
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            }
            requireAll(where, digests, fetched);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void verifyFolder(Path dir) {
        Path manifest = dir.resolve("model.json");
        if (!Files.isRegularFile(manifest)) {
            return; // the package loader says what is missing
        }
        try {
            var digests = PackageDigests.of(dir, Files.readAllBytes(manifest));
            if (digests.isEmpty()) {
                return;
            }
            Set<String> present = new HashSet<>();
            for (String name : digests.get().files()) {
                Path file = dir.resolve(name).normalize();
                if (file.startsWith(dir) && Files.isRegularFile(file)) {
                    digests.get().verify(dir, name, Files.readAllBytes(file));
                    present.add(name);
                }
            }
            requireAll(dir, digests.get(), present);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireAll(Path where, PackageDigests digests, Set<String> present) {
        for (String name : digests.files()) {
            if (!present.contains(name)) {
                throw new ModelPackageException(where, "'" + name + "' is in model.json's sha256 list but not in the package");
            }
        }
    }

    private static void deleteContents(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }
}
