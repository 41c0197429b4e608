package dev.genq.storage.objectstore;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.InputStream;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;
import io.smallrye.faulttolerance.api.ExponentialBackoff;

/**
 * The S3 object store, spoken to through the MinIO SDK (MinIO in production, S3Proxy locally).
 *
 * <p>Every call is retried with exponential backoff while the store is unreachable or answers with a
 * server error (about 6 s in all by default), so a short outage costs a delay, not a recomputed image.
 * Tune with SmallRye Fault Tolerance's configuration, e.g.
 * {@code quarkus.fault-tolerance."dev.genq.storage.objectstore.ObjectStore".retry.max-retries}.
 * Every operation is idempotent (same key, same bytes), so a retry after a lost reply is harmless.
 */
@ApplicationScoped
@Retry(maxRetries = 5, delay = 200, jitter = 100, retryOn = ObjectStoreUnavailableException.class)
@ExponentialBackoff(factor = 2, maxDelay = 4000)
public class ObjectStore {
    private static final Logger LOG = Logger.getLogger(ObjectStore.class);

    private final ObjectStoreSettings settings;
    private final MinioClient client;

    public ObjectStore(ObjectStoreSettings settings) {
        this.settings = settings;
        this.client = MinioClient.builder()
                .endpoint(settings.endpoint())
                .credentials(settings.accessKey(), settings.secretKey())
                .region(settings.region())
                .build();
    }

    /** A presigned GET and the instant it stops working. */
    public record PresignedUrl(String url, Instant expiresAt) {
    }

    void createBuckets(@Observes StartupEvent ignored) {
        if (settings.createBuckets()) {
            for (String bucket : Buckets.ALL) {
                ensureBucket(bucket);
            }
        }
    }

    /** Creates the bucket if it is missing; safe when several services start at once. */
    public void ensureBucket(String bucket) {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    LOG.infof("created bucket %s", bucket);
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    // another service created it between our check and our create: that is success
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Not retried: the readiness check asks this and must answer at once. */
    @Retry(maxRetries = 0)
    public boolean bucketExists(String bucket) {
        return call("check bucket " + bucket, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    public void put(String bucket, String key, byte[] bytes, String contentType) {
        call("put " + bucket + "/" + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(key).data(bytes, bytes.length).contentType(contentType).build()));
    }

    public byte[] get(String bucket, String key) {
        return call("get " + bucket + "/" + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    /** The object's bytes, or empty only for a definite "no such key" (one request, not a stat and a get). */
    public java.util.Optional<byte[]> find(String bucket, String key) {
        return call("get " + bucket + "/" + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return java.util.Optional.of(in.readAllBytes());
            } catch (ErrorResponseException e) {
                if (noSuchKey(e)) {
                    return java.util.Optional.<byte[]>empty();
                }
                throw e;
            }
        });
    }

    /** @return true if the object exists; false only for a definite "no such key". */
    public boolean exists(String bucket, String key) {
        return call("stat " + bucket + "/" + key, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (noSuchKey(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    private static boolean noSuchKey(ErrorResponseException e) {
        return "NoSuchKey".equals(e.errorResponse().code()) || "NoSuchObject".equals(e.errorResponse().code());
    }

    /** Keys under a prefix, recursively. */
    public java.util.List<String> list(String bucket, String prefix) {
        return call("list " + bucket + "/" + prefix, () -> {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (io.minio.Result<io.minio.messages.Item> r : client.listObjects(io.minio.ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                keys.add(r.get().objectName());
            }
            return keys;
        });
    }

    /** Server-side copy; the same key in another bucket. */
    public void copy(String fromBucket, String key, String toBucket) {
        call("copy " + fromBucket + "/" + key + " to " + toBucket, () -> client.copyObject(CopyObjectArgs.builder()
                .bucket(toBucket).object(key)
                .source(SourceObject.builder().bucket(fromBucket).object(key).build())
                .build()));
    }

    /** Idempotent: removing a missing object succeeds. */
    public void remove(String bucket, String key) {
        call("remove " + bucket + "/" + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    public PresignedUrl presignGet(String bucket, String key) {
        return presignGet(bucket, key, settings.presignExpiry());
    }

    @Retry(maxRetries = 0) // signing is local; it does not call the store
    public PresignedUrl presignGet(String bucket, String key, java.time.Duration expiry) {
        int seconds = (int) expiry.toSeconds();
        Instant expiresAt = Instant.now().plusSeconds(seconds);
        String url = call("presign " + bucket + "/" + key, () -> client.getPresignedObjectUrl(
                GetPresignedObjectUrlArgs.builder().method(Http.Method.GET).bucket(bucket).object(key)
                        .expiry(seconds, TimeUnit.SECONDS).build()));
        return new PresignedUrl(url, expiresAt);
    }

    @PreDestroy
    void close() throws Exception {
        client.close();
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, S3Call<T> op) {
        try {
            return op.run();
        } catch (Exception e) {
            if (unavailable(e)) {
                throw new ObjectStoreUnavailableException("object store unavailable: " + what + " failed: " + e.getMessage(), e);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new ObjectStoreException("object store: " + what + " failed: " + e.getMessage(), e);
        }
    }

    /** Unreachable, timed out or a server error: worth retrying. An S3 error answer such as NoSuchKey is not. */
    private static boolean unavailable(Throwable error) {
        // the outermost of these decides: an S3 answer is what the store said, an I/O error means it was not reached
        return dev.genq.storage.outage.Causes.chain(error)
                .filter(t -> t instanceof ErrorResponseException || t instanceof io.minio.errors.ServerException
                        || t instanceof java.io.IOException)
                .findFirst()
                .map(t -> !(t instanceof ErrorResponseException e) || e.response() != null && e.response().code() >= 500)
                .orElse(false);
    }
}
