package dev.genq.gateway;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The bootstrap keys of the test profile (application.properties, %test) and request builders that use
 * them. Keys for other tenants are created through the admin API in the tests that need them.
 */
public final class TestKeys {
    public static final String ADMIN = "gq_test-admin-key-000000000000000000000000";
    public static final String CLIENT = "gq_test-client-key-00000000000000000000000";
    public static final String REVIEWER = "gq_test-reviewer-key-000000000000000000000";

    private TestKeys() {
    }

    /** A request as the default tenant's client key. */
    public static RequestSpecification given() {
        return as(CLIENT);
    }

    public static RequestSpecification as(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key);
    }
}
