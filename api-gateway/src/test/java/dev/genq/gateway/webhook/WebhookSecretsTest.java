package dev.genq.gateway.webhook;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.webhook.WebhookSecret;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Signing secrets at rest: sealed, re-sealed at start, capped in number, deleted once expired. */
@QuarkusTest
class WebhookSecretsTest {
    @Inject
    WebhookSecrets secrets;

    record TenantKey(UUID tenant, String key) {
    }

    static TenantKey newTenant() {
        String tenant = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "secrets-" + UUID.randomUUID()))
                .when().post("/v1/admin/tenants").then().statusCode(201).extract().path("id");
        String key = as(TestKeys.ADMIN).contentType(ContentType.JSON).body(Map.of("name", "k", "roles", List.of("client")))
                .when().post("/v1/admin/tenants/" + tenant + "/keys").then().statusCode(201).extract().path("key");
        return new TenantKey(UUID.fromString(tenant), key);
    }

    static List<String> storedSecrets(UUID tenant) {
        return QuarkusTransaction.requiringNew().call(() ->
                WebhookSecret.<WebhookSecret>list("tenantId = ?1 order by id", tenant).stream().map(s -> s.secret).toList());
    }

    @Test
    void theDatabaseHoldsTheSecretSealedNeverInPlainText() {
        TenantKey t = newTenant();
        String secret = as(t.key()).when().get("/v1/webhooks/secret").then().statusCode(200).extract().path("secret");
        assertTrue(secret.startsWith("whsec_"), secret);
        List<String> stored = storedSecrets(t.tenant());
        assertEquals(1, stored.size());
        assertTrue(stored.get(0).startsWith("sealed:v1:k2:"), "sealed under the first configured key: " + stored.get(0));
        assertFalse(stored.get(0).contains(secret.substring("whsec_".length())));
    }

    @Test
    void rowsFromBeforeSealingOrUnderAnOlderKeyAreSealedAtStartAndKeepTheirSecret() {
        TenantKey plain = newTenant();
        TenantKey older = newTenant();
        String underK1 = SecretSealer.of(List.of("k1:dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0wMDE=")).seal(older.tenant(), "whsec_c2VhbGVkIHVuZGVyIGsx");
        QuarkusTransaction.requiringNew().run(() -> {
            var em = WebhookSecret.getEntityManager();
            em.createNativeQuery("insert into webhook_secrets (tenant_id, secret) values (?1, 'whsec_cGxhaW4gdGV4dCBzZWNyZXQ=')")
                    .setParameter(1, plain.tenant()).executeUpdate();
            em.createNativeQuery("insert into webhook_secrets (tenant_id, secret) values (?1, ?2)")
                    .setParameter(1, older.tenant()).setParameter(2, underK1).executeUpdate();
        });
        secrets.sealAtStart(null);
        assertTrue(storedSecrets(plain.tenant()).get(0).startsWith("sealed:v1:k2:"));
        assertTrue(storedSecrets(older.tenant()).get(0).startsWith("sealed:v1:k2:"));
        as(plain.key()).when().get("/v1/webhooks/secret").then().statusCode(200).body("secret", equalTo("whsec_cGxhaW4gdGV4dCBzZWNyZXQ="));
        as(older.key()).when().get("/v1/webhooks/secret").then().statusCode(200).body("secret", equalTo("whsec_c2VhbGVkIHVuZGVyIGsx"));
    }

    @Test
    void rotationsAreCappedAtFiveLiveSecretsUntilTheOldestExpires() {
        TenantKey t = newTenant();
        as(t.key()).when().get("/v1/webhooks/secret").then().statusCode(200);
        for (int i = 0; i < 4; i++) {
            as(t.key()).when().post("/v1/webhooks/secret/rotate").then().statusCode(200);
        }
        as(t.key()).when().post("/v1/webhooks/secret/rotate").then().statusCode(429)
                .contentType("application/problem+json").body("code", equalTo("secret_rotation_limit"))
                .header("Retry-After", notNullValue());
        assertEquals(5, storedSecrets(t.tenant()).size(), "the refused rotation created nothing");
        as(t.key()).when().get("/v1/webhooks/secret").then().statusCode(200).body("previous.size()", equalTo(4));
        // once the oldest has expired (its grace period moved into the past here), a rotation goes through
        QuarkusTransaction.requiringNew().run(() -> WebhookSecret.getEntityManager().createNativeQuery("""
                update webhook_secrets set expires_at = now() - interval '1 second'
                where id = (select min(id) from webhook_secrets where tenant_id = ?1)""").setParameter(1, t.tenant()).executeUpdate());
        as(t.key()).when().post("/v1/webhooks/secret/rotate").then().statusCode(200).body("previous.size()", equalTo(4));
    }

    @Test
    void expiredSecretsAreDeletedAndLiveOnesKept() {
        TenantKey t = newTenant();
        as(t.key()).when().get("/v1/webhooks/secret").then().statusCode(200);
        as(t.key()).when().post("/v1/webhooks/secret/rotate").then().statusCode(200);
        QuarkusTransaction.requiringNew().run(() -> WebhookSecret.getEntityManager().createNativeQuery("""
                update webhook_secrets set expires_at = now() - interval '1 second' where tenant_id = ?1 and expires_at is not null""")
                .setParameter(1, t.tenant()).executeUpdate());
        assertTrue(secrets.purgeExpired(1_000) >= 1);
        assertEquals(1, storedSecrets(t.tenant()).size(), "only the current secret is left");
        as(t.key()).when().get("/v1/webhooks/secret").then().statusCode(200).body("previous.size()", equalTo(0));
    }
}
