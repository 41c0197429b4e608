package dev.genq.worker.model;

import dev.genq.storage.job.Sha256;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.worker.engine.ModelPackageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code sha256} list of a package's {@code model.json}: file name → hex digest of every other file in
 * the package. A worker checks each file against it before the file is loaded, so weights swapped in the
 * bucket (or a download cut short) never run. Required for packages from S3, checked when present for folders.
 */
public final class PackageDigests {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final Map<String, String> digests;

    private PackageDigests(Map<String, String> digests) {
        this.digests = digests;
    }

    /** @return the list in this {@code model.json}, or empty when it has none */
    public static Optional<PackageDigests> of(Path where, byte[] modelJson) {
        JsonNode list;
        try {
            list = new ObjectMapper().readTree(modelJson).path("sha256");
        } catch (IOException e) {
            throw new ModelPackageException(where, "model.json is not valid JSON: " + e.getMessage());
        }
        if (list.isMissingNode()) {
            return Optional.empty();
        }
        if (!list.isObject() || list.isEmpty()) {
            throw new ModelPackageException(where, "model.json's sha256 must map each file name to its hex sha256");
        }
        Map<String, String> digests = new LinkedHashMap<>();
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) list::fields) {
            String hex = e.getValue().asText("");
            if (!HEX.matcher(hex).matches() || e.getKey().equals("model.json")) {
                throw new ModelPackageException(where, "model.json's sha256 entry for '" + e.getKey()
                        + "' is not 64 lower-case hex digits of another file");
            }
            digests.put(e.getKey(), hex);
        }
        return Optional.of(new PackageDigests(digests));
    }

    /** @throws ModelPackageException if the file is not listed or its bytes do not match */
    public void verify(Path where, String file, byte[] bytes) {
        String expected = digests.get(file);
        if (expected == null) {
            throw new ModelPackageException(where, "'" + file + "' is not in model.json's sha256 list; refused");
        }
        String actual = Sha256.hex(bytes);
        if (!actual.equals(expected)) {
            throw new ModelPackageException(where, "'" + file + "' has sha256 " + actual + ", model.json lists " + expected
                    + "; refused (changed or truncated)");
        }
    }

    /** The listed files, every one of which must be present. */
    public java.util.Set<String> files() {
        return digests.keySet();
    }
}
