package dev.genq.gateway;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * The bootstrap keys of the test profile (application.properties, %test) and request builders that use
 * them; keys for other tenants are created through the admin API ({@link #newTenantKey}).
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

    /** Creates a tenant and a key with the given roles through the admin API; returns the raw key. */
    public static String newTenantKey(String... roles) {
        String tenant = as(ADMIN).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", "tenant-" + java.util.UUID.randomUUID()))
                .when().post("/v1/admin/tenants").then().statusCode(201).extract().path("id");
        return as(ADMIN).contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("name", "k", "roles", java.util.List.of(roles)))
                .when().post("/v1/admin/tenants/" + tenant + "/keys").then().statusCode(201).extract().path("key");
    }
}
