package dev.genq.worker.model;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.local.GenqStackTestResource;
import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worker listing a package whose golden probe no longer matches, and one that ships no probe: neither is
 * registered or served, readiness is DOWN naming each and why, and the packages that passed are served.
 */
@QuarkusTest
@QuarkusTestResource(GenqStackTestResource.class)
@TestProfile(ProbeRefusalTest.BrokenPackages.class)
class ProbeRefusalTest {
    public static class BrokenPackages implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genq.worker.model-paths", "../models/fixtures/tiny-base,../models/fixtures/tiny-sr,"
                    + "../models/fixtures/tiny-probe-mismatch,../models/fixtures/tiny-nan");
        }
    }

    @Inject
    ModelRegistry models;

    @Test
    void refusedPackagesAreNotServedAndReadinessSaysWhy() {
        assertTrue(models.get("tiny-base").isPresent());
        assertTrue(models.get("tiny-probe-mismatch").isEmpty());
        assertTrue(models.get("tiny-nan").isEmpty());
        assertEquals(0L, (long) QuarkusTransaction.requiringNew().call(() ->
                ModelEntry.count("name", "tiny-probe-mismatch")), "not in the catalog");

        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'models' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'models' }.data.'refused ../models/fixtures/tiny-probe-mismatch'",
                        startsWith("tiny-probe-mismatch@1: probe case 0 ('a red apple') differs by 0.3"))
                .body("checks.find { it.name == 'models' }.data.'refused ../models/fixtures/tiny-nan'",
                        equalTo("tiny-nan@1 ships no probe.json; add one (models/README.md) or list the package in "
                                + "genq.worker.unprobed-packages"));
    }
}
