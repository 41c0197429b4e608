package dev.genq.gateway.tenant;

import static dev.genq.gateway.TestKeys.as;
import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
class AuthTest {
    final EntityManager em;

    AuthTest(EntityManager em) {
        this.em = em;
    }

    @Test
    void noKeyIs401WithAChallenge() {
        RestAssured.given().when().get("/v1/jobs").then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"genq\"")
                .body("code", equalTo("api_key_required"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'Bearer gq_not-a-key-that-exists-anywhere-000000', unknown key",
            "'Bearer abc', malformed key",
            "'Basic dXNlcjpwYXNz', another scheme",
    })
    void aBadKeyIs401(String header, String why) {
        RestAssured.given().header("Authorization", header).when().get("/v1/jobs").then().statusCode(401)
                .contentType("application/problem+json").body("code", equalTo("invalid_api_key"));
    }

    @Test
    void wrongRolesAre403() {
        as(TestKeys.REVIEWER).when().get("/v1/jobs").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden"));
        given().when().get("/v1/admin/tenants").then().statusCode(403).body("code", equalTo("forbidden"));
        as(TestKeys.REVIEWER).contentType(ContentType.JSON).body(Map.of("name", "x"))
                .when().post("/v1/admin/tenants").then().statusCode(403);
    }

    @Test
    void anAdminKeyMayAlsoActAsAClient() {
        as(TestKeys.ADMIN).when().get("/v1/jobs").then().statusCode(200);
    }

    @Test
    void aKeyIsShownOnceAndWorksUntilRevoked() {
        String tenant = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "acme-" + UUID.randomUUID(),
                        "max_concurrent_jobs", 7))
                .when().post("/v1/admin/tenants").then().statusCode(201)
                .body("max_concurrent_jobs", equalTo(7)).extract().path("id");
        JsonPath created = as(TestKeys.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("name", "backend", "roles", List.of("client")))
                .when().post("/v1/admin/tenants/" + tenant + "/keys").then().statusCode(201).extract().jsonPath();
        String key = created.getString("key");
        assertTrue(key.startsWith("gq_") && key.length() == 43, key.length() + "");
        assertTrue(key.startsWith(created.getString("prefix")));
        as(TestKeys.ADMIN).when().get("/v1/admin/tenants/" + tenant + "/keys").then().statusCode(200)
                .body("[0].key", nullValue()).body("[0].prefix", equalTo(created.getString("prefix")))
                .body("[0].roles", equalTo(List.of("client")));

        as(key).when().get("/v1/jobs").then().statusCode(200);
        as(TestKeys.ADMIN).when().delete("/v1/admin/keys/" + created.getString("id")).then().statusCode(200)
                .body("revoked_at", not(nullValue()));
        as(key).when().get("/v1/jobs").then().statusCode(401).body("code", equalTo("invalid_api_key"));
    }

    @Test
    void badAdminRequestsAreProblems() {
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "default"))
                .when().post("/v1/admin/tenants").then().statusCode(409).body("code", equalTo("tenant_exists"));
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("root")))
                .when().post("/v1/admin/tenants/00000000-0000-0000-0000-000000000001/keys").then().statusCode(400)
                .body("code", equalTo("invalid_roles"));
        as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("client")))
                .when().post("/v1/admin/tenants/" + UUID.randomUUID() + "/keys").then().statusCode(404)
                .body("code", equalTo("tenant_not_found"));
    }

    @Test
    void anotherTenantsJobIsNotFoundOnEveryJobEndpoint() {
        String other = TestKeys.newTenantKey("client");
        String job = given().contentType(ContentType.JSON).body("{\"prompt\":\"mine\"}").when().post("/v1/jobs")
                .then().statusCode(202).extract().path("id");
        as(other).when().get("/v1/jobs/" + job).then().statusCode(404).body("code", equalTo("job_not_found"));
        as(other).when().post("/v1/jobs/" + job + "/cancel").then().statusCode(404).body("code", equalTo("job_not_found"));
        as(other).contentType(ContentType.JSON).body("{\"sample\":0}").when().post("/v1/jobs/" + job + "/upscale")
                .then().statusCode(404).body("code", equalTo("job_not_found"));
        as(other).when().get("/v1/jobs/" + job + "/events").then().statusCode(404).body("code", equalTo("job_not_found"));
        as(other).when().get("/v1/jobs/" + job + "/webhook-deliveries").then().statusCode(404)
                .body("code", equalTo("job_not_found"));
        as(other).when().get("/v1/jobs").then().statusCode(200).body("data.id", not(hasItem(job)));
        // and the owner still sees it, unchanged by the other tenant's cancel
        given().when().get("/v1/jobs/" + job).then().statusCode(200).body("status", equalTo("queued"));
    }

    @Test
    void theRawKeyIsNowhereInTheDatabaseOrTheLogs() throws Exception {
        String key = TestKeys.newTenantKey("client");
        as(key).contentType(ContentType.JSON).body("{\"prompt\":\"leak check\"}").when().post("/v1/jobs").then().statusCode(202);
        as(key + "x").when().get("/v1/jobs").then().statusCode(401); // a failed attempt must not log the key either
        @SuppressWarnings("unchecked")
        List<String> tables = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'")
                .getResultList());
        assertTrue(tables.contains("api_keys"), tables.toString());
        for (String table : tables) {
            long hits = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                    "select count(*) from \"" + table + "\" t where t::text like ?1")
                    .setParameter(1, "%" + key.substring(3) + "%").getSingleResult()).longValue());
            assertEquals(0, hits, "the raw key is in table " + table);
        }
        Path log = Path.of("target/quarkus-test.log");
        assertTrue(Files.exists(log), "the test profile logs to " + log);
        String text = Files.readString(log);
        assertFalse(text.isEmpty());
        assertFalse(text.contains(key.substring(3)), "the raw key is in the log");
        assertFalse(text.contains(TestKeys.ADMIN.substring(3)), "a bootstrap key is in the log");
    }

    @Test
    void operatorRolesBelongToTheOperatorsTenantOnly() {
        String tenant = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "tenant-" + UUID.randomUUID()))
                .when().post("/v1/admin/tenants").then().statusCode(201).extract().path("id");
        for (String role : List.of("admin", "moderator")) {
            as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("client", role)))
                    .when().post("/v1/admin/tenants/" + tenant + "/keys").then().statusCode(400)
                    .body("code", equalTo("role_requires_operator_tenant"));
        }
        // a moderator key of the operator reviews (in moderation) and does nothing here
        String moderator = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "m", "roles", List.of("moderator")))
                .when().post("/v1/admin/tenants/00000000-0000-0000-0000-000000000001/keys").then().statusCode(201)
                .extract().path("key");
        as(moderator).when().get("/v1/admin/tenants").then().statusCode(403);
        as(moderator).when().get("/v1/jobs").then().statusCode(403);
        // an admin key of another tenant (made before the refusal) administers nothing
        String raw = dev.genq.storage.tenant.ApiKey.generate();
        QuarkusTransaction.requiringNew().run(() -> dev.genq.storage.tenant.ApiKey.create(UUID.fromString(tenant), "old admin",
                java.util.Set.of("admin"), raw, null));
        as(raw).when().get("/v1/admin/tenants").then().statusCode(403);
    }
}
