package dev.genq.gateway.model;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.ModelPackages;
import dev.genq.storage.model.ModelPackages.LoadStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A registered package's version is routed only while every live worker (a heartbeat within 15 s) reports it
 * loaded; a dead worker's silence or refusal does not hold it back; unregistering stops it at once. The admin API
 * takes pinned s3:// sources only, from admins only.
 */
@QuarkusTest
class ModelPackagesTest {
    static final String PIN = "#sha256=" + "ab".repeat(32);

    static boolean routable(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> ModelPackages.registrations(id, 1).get(0).routable());
    }

    static void heartbeat(String worker, int secondsAgo) {
        QuarkusTransaction.requiringNew().run(() -> {
            ModelPackages.heartbeat(worker);
            ModelEntry.getEntityManager().createNativeQuery("update worker_heartbeats set seen_at = now() - make_interval(secs => ?2) where worker = ?1")
                    .setParameter(1, worker).setParameter(2, secondsAgo).executeUpdate();
        });
    }

    @Test
    void aVersionIsRoutedOnlyWhileEveryLiveWorkerLoadedIt() {
        String model = "pkg-" + UUID.randomUUID().toString().substring(0, 8);
        String a = "worker-a-" + model;
        String b = "worker-b-" + model;
        String dead = "worker-dead-" + model;
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
            UUID p = ModelPackages.register("s3://genq-models/" + model + "/1" + PIN, "test", null);
            ModelEntry.register(model, "1", Stage.BASE.modelKind(), 32, 100, List.of("ddim"), 4, 3.0, "ddim", "MIT");
            ModelPackages.markCatalogEntry(model, "1", p);
            return p;
        });
        heartbeat(a, 0);
        heartbeat(b, 1);
        heartbeat(dead, 60); // stopped a minute ago: not counted
        QuarkusTransaction.requiringNew().run(() -> ModelPackages.report(id, dead, LoadStatus.REFUSED, null, "gone"));
        assertFalse(routable(id), "nobody loaded it yet");
        QuarkusTransaction.requiringNew().run(() -> ModelPackages.report(id, a, LoadStatus.LOADED, model + "@1", "ok"));
        assertFalse(routable(id), "worker b, alive, has not loaded it: a job could land there");
        QuarkusTransaction.requiringNew().run(() -> ModelPackages.report(id, b, LoadStatus.LOADED, model + "@1", "ok"));
        assertTrue(routable(id), "every live worker loaded it; the dead one's refusal does not count");
        as(TestKeys.ADMIN).when().get("/v1/admin/models/packages/" + id).then().statusCode(200)
                .body("status", equalTo("routable")).body("loads.size()", equalTo(3));

        as(TestKeys.ADMIN).when().delete("/v1/admin/models/packages/" + id).then().statusCode(200)
                .body("status", equalTo("unregistered"));
        assertFalse(routable(id), "unregistered: no longer routed");
        as(TestKeys.ADMIN).when().delete("/v1/admin/models/packages/" + id).then().statusCode(200); // idempotent
        as(TestKeys.ADMIN).when().get("/v1/admin/models/packages/" + UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("package_not_found"));
    }

    @Test
    void onlyAdminsRegisterAndOnlyPinnedS3Sources() {
        String ok = "{\"source\":\"s3://genq-models/x/1" + PIN + "\"}";
        as(TestKeys.CLIENT).contentType(ContentType.JSON).body(ok).when().post("/v1/admin/models").then().statusCode(403);
        for (String bad : List.of("/etc/passwd", "file:///etc", "s3://genq-models/x/1", "s3://genq-models/x/1#sha256=abc",
                "s3://genq-models/../x" + PIN, "http://example.com/x" + PIN)) {
            as(TestKeys.ADMIN).contentType(ContentType.JSON).body("{\"source\":\"" + bad + "\"}").when().post("/v1/admin/models")
                    .then().statusCode(400).body("code", equalTo("source_invalid"));
        }
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body("{\"source\":\"s3://genq-models/x/1" + PIN + "\",\"reason\":\""
                + "r".repeat(501) + "\"}").when().post("/v1/admin/models").then().statusCode(400).body("code", equalTo("reason_too_long"));
        String id = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(ok).when().post("/v1/admin/models").then()
                .statusCode(202).body("status", equalTo("registered")).extract().path("id");
        assertEquals(1, as(TestKeys.ADMIN).when().get("/v1/admin/models/packages").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.id == '" + id + "' }").size());
    }
}
