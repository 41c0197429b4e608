package dev.genq.gateway.model;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import dev.genq.storage.model.Rollouts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The rollout lives in Postgres and changes through the admin API without a restart: new jobs follow the
 * change at once, every change is recorded with its key and reason, and a refused change changes nothing.
 */
@QuarkusTest
class RolloutApiTest {
    final EntityManager em;
    final Rollouts rollouts;

    RolloutApiTest(EntityManager em, Rollouts rollouts) {
        this.em = em;
        this.rollouts = rollouts;
    }

    static Rollouts.Settings configured(String stable, String canary, double share) {
        return new Rollouts.Settings() {
            public java.util.Optional<List<String>> stable() {
                return java.util.Optional.ofNullable(stable).map(List::of);
            }

            public java.util.Optional<List<String>> canary() {
                return java.util.Optional.ofNullable(canary).map(List::of);
            }

            public double canaryShare() {
                return share;
            }
        };
    }

    static Response put(String key, String model, Map<String, Object> body) {
        return as(key).contentType(ContentType.JSON).body(body).when().put("/v1/admin/models/" + model + "/rollout");
    }

    /** Registers versions 1 and 2 of a text-to-image model, as two workers would. */
    static void registerTwoVersions(String model) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (String version : List.of("1", "2")) {
                ModelEntry.register(model, version, Stage.BASE.modelKind(), 32, 100, List.of("ddim"), 4, 3.0, "ddim", "MIT");
            }
        });
    }

    /** Submits n jobs of the model (retrying, bounded, until the catalog lists it) and returns their pinned versions. */
    List<String> pinnedVersionsOf(String model, int n) throws InterruptedException {
        List<String> pinned = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = ModelsApiTest.awaitSubmit("{\"prompt\":\"a rollout\",\"model\":\"" + model + "\",\"steps\":1}");
            pinned.add(QuarkusTransaction.requiringNew().call(() -> (String) em.createNativeQuery(
                    "select pinned_version from jobs where id = ?1").setParameter(1, UUID.fromString(id)).getSingleResult()));
        }
        return pinned;
    }

    @Test
    void aChangeReachesNewJobsAtOnceAndIsRecorded() throws InterruptedException {
        String model = "rollout-" + UUID.randomUUID().toString().substring(0, 8);
        registerTwoVersions(model);
        List<String> unpinned = pinnedVersionsOf(model, 1); // the catalog lists it now; no rollout names it yet
        assertEquals(java.util.Collections.singletonList(null), unpinned);

        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "canary_version", "2", "canary_share", 1.0, "reason", "try 2"))
                .then().statusCode(200).body("stable_version", equalTo("1")).body("canary_version", equalTo("2"))
                .body("canary_share", equalTo(1.0f)).body("history[0].reason", equalTo("try 2"));
        assertEquals(List.of("2", "2", "2", "2", "2"), pinnedVersionsOf(model, 5), "share 1: every new job on the canary");
        JsonPath listed = as(TestKeys.CLIENT).when().get("/v1/models/" + model).then().statusCode(200).extract().jsonPath();
        assertEquals("2", listed.getString("canary_version"));
        assertEquals(List.of("stable", "canary"), listed.getList("versions.rollout"));

        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "canary_version", "2", "canary_share", 0, "reason", "roll back"))
                .then().statusCode(200);
        assertEquals(List.of("1", "1", "1", "1", "1"), pinnedVersionsOf(model, 5), "share 0: rolled back without a restart");

        // refused changes change nothing
        put(TestKeys.ADMIN, model, Map.of("stable_version", "3")).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("version_not_registered")).body("field", equalTo("stable_version"));
        put(TestKeys.ADMIN, model, Map.of("stable_version", "2", "canary_version", "2", "canary_share", 0.1)).then().statusCode(400)
                .body("code", equalTo("rollout_conflict"));
        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "canary_version", "2", "canary_share", 1.5)).then().statusCode(400)
                .body("code", equalTo("canary_share_out_of_range"));
        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "canary_version", "2")).then().statusCode(400)
                .body("code", equalTo("canary_share_required"));
        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "reason", "x".repeat(501))).then().statusCode(400)
                .body("code", equalTo("reason_too_long"));
        put(TestKeys.CLIENT, model, Map.of("stable_version", "2")).then().statusCode(403);
        put(TestKeys.ADMIN, "no-such-model", Map.of("stable_version", "1")).then().statusCode(404)
                .body("code", equalTo("model_not_found"));

        JsonPath rollout = as(TestKeys.ADMIN).when().get("/v1/admin/models/" + model + "/rollout").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("1", rollout.getString("stable_version"));
        assertEquals(0.0, rollout.getDouble("canary_share"));
        assertEquals(List.of("roll back", "try 2"), rollout.getList("history.reason"), "newest first, refusals not recorded");
        assertTrue(rollout.getString("history[0].changed_by").startsWith("key "), rollout.getString("history[0].changed_by"));
        assertEquals(List.of("1", "1", "1", "1", "1"), pinnedVersionsOf(model, 5));
    }

    /** What a gateway does at start: configuration seeds the rollout, and only where it changed since it last did. */
    @Test
    void configurationSeedsButAnUnchangedOneNeverUndoesAnApiChange() throws InterruptedException {
        String model = "seeded-" + UUID.randomUUID().toString().substring(0, 8);
        registerTwoVersions(model);
        pinnedVersionsOf(model, 1); // the catalog lists it
        rollouts.applyConfiguration(configured(model + "@1", model + "@2", 1.0));
        assertEquals(List.of("2", "2", "2"), pinnedVersionsOf(model, 3), "seeded: share 1");
        put(TestKeys.ADMIN, model, Map.of("stable_version", "1", "canary_version", "2", "canary_share", 0, "reason", "hold"))
                .then().statusCode(200);
        rollouts.applyConfiguration(configured(model + "@1", model + "@2", 1.0)); // a restart with the same configuration
        assertEquals(List.of("1", "1", "1"), pinnedVersionsOf(model, 3), "the API's change stands");
        rollouts.applyConfiguration(configured(model + "@2", null, 0)); // an edited configuration is a change
        assertEquals(List.of("2", "2", "2"), pinnedVersionsOf(model, 3));
        rollouts.applyConfiguration(configured(null, null, 0)); // taken out of the configuration
        assertEquals(java.util.Collections.nCopies(3, null), pinnedVersionsOf(model, 3));
        List<String> by = as(TestKeys.ADMIN).when().get("/v1/admin/models/" + model + "/rollout").then().statusCode(200)
                .extract().jsonPath().getList("history.changed_by");
        assertEquals(4, by.size(), by.toString());
        assertEquals(List.of("configuration", "configuration"), by.subList(0, 2));
        assertTrue(by.get(2).startsWith("key "), by.toString());
        assertEquals("configuration", by.get(3));
    }
}
