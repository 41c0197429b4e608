package dev.genq.worker.engine;

import java.nio.file.Path;

/** A model package that cannot be used; the message names the package and what is wrong with it. */
public class ModelPackageException extends RuntimeException {
    public ModelPackageException(Path dir, String problem) {
        super("model package " + dir + ": " + problem);
    }

    public ModelPackageException(Path dir, String problem, Throwable cause) {
        super("model package " + dir + ": " + problem, cause);
    }
}
