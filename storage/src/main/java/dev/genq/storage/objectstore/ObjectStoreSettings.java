package dev.genq.storage.objectstore;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "genq.object-store")
public interface ObjectStoreSettings {
    /** S3 endpoint, e.g. http://127.0.0.1:9000. Presigned URLs are issued for this host. */
    String endpoint();

    String accessKey();

    String secretKey();

    @WithDefault("us-east-1")
    String region();

    /** How long a presigned download URL stays valid. */
    @WithDefault("PT1H")
    Duration presignExpiry();

    /** Create the genq buckets at start if they are missing. */
    @WithDefault("true")
    boolean createBuckets();
}
