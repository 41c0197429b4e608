package dev.genq.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.storage.objectstore.ObjectStore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Services start side by side and each creates the buckets it needs: losing that race is not an error. */
@QuarkusTest
class BucketCreationRaceTest {
    @Inject
    ObjectStore store;

    @Test
    void concurrentCreationOfTheSameBucketAllSucceed() {
        String bucket = "race-" + UUID.randomUUID().toString().substring(0, 8);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racers.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                store.ensureBucket(bucket);
            }));
        }
        go.countDown();
        racers.forEach(CompletableFuture::join); // throws if any racer failed
        assertTrue(store.bucketExists(bucket));
    }
}
