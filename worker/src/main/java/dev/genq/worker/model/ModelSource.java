package dev.genq.worker.model;

import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a model package comes from: a local folder, or {@code s3://bucket/prefix}, whose objects are
 * mirrored into a local cache folder once at start (libtorch loads TorchScript from files).
 */
public final class ModelSource {
    private final ObjectStore store;
    private final Path cacheDir;

    public ModelSource(ObjectStore store, Path cacheDir) {
        this.store = store;
        this.cacheDir = cacheDir;
    }

    /** @return the local folder holding the package */
    public Path resolve(String location) {
        if (!location.startsWith("s3://")) {
            return Path.of(location).toAbsolutePath().normalize();
        }
        String rest = location.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new ModelPackageException(Path.of(location), "an S3 location must look like s3://bucket/prefix");
        }
        String bucket = rest.substring(0, slash);
        String prefix = rest.substring(slash + 1).replaceAll("/+$", "") + "/";
        List<String> keys = store.list(bucket, prefix);
        if (keys.isEmpty()) {
            throw new ModelPackageException(Path.of(location), "no objects under " + location);
        }
        Path target = cacheDir.resolve(bucket).resolve(prefix).normalize();
        try {
            Files.createDirectories(target);
            for (String key : keys) {
                Path file = target.resolve(key.substring(prefix.length())).normalize();
                if (!file.startsWith(target)) {
                    throw new ModelPackageException(Path.of(location), "object key escapes the package: " + key);
                }
                Files.createDirectories(file.getParent());
                Files.write(file, store.get(bucket, key));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }
}
