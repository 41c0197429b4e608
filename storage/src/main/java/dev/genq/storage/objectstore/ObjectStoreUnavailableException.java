package dev.genq.storage.objectstore;

/**
 * The object store could not be reached or answered with a server error: worth retrying, unlike an
 * answer such as "no such key" ({@link ObjectStoreException}).
 */
public class ObjectStoreUnavailableException extends ObjectStoreException {
    public ObjectStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
