package dev.genq.storage.objectstore;

/** The object store failed or could not be reached; callers decide whether to retry. */
public class ObjectStoreException extends RuntimeException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
