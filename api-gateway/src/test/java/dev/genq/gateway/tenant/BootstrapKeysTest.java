package dev.genq.gateway.tenant;

import static dev.genq.gateway.TestKeys.as;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import dev.genq.storage.tenant.ApiKey;
import dev.genq.storage.tenant.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

@QuarkusTest
class BootstrapKeysTest {
    final BootstrapKeys bootstrap;

    BootstrapKeysTest(BootstrapKeys bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Test
    void aBootstrapKeyNoLongerConfiguredIsRevokedAtStartAndTheConfiguredOnesStay() {
        // as if an earlier start had been configured with another admin key (compose's volume keeps it)
        String old = "gq_an-earlier-bootstrap-admin-key-0000000000";
        QuarkusTransaction.requiringNew().run(() -> ApiKey.create(Tenant.DEFAULT_ID, "bootstrap admin", Set.of("admin"), old, null));
        as(old).when().get("/v1/admin/tenants").then().statusCode(200);

        bootstrap.reconcile();

        as(old).when().get("/v1/admin/tenants").then().statusCode(401);
        as(TestKeys.ADMIN).when().get("/v1/admin/tenants").then().statusCode(200);
        as(TestKeys.CLIENT).when().get("/v1/jobs").then().statusCode(200);
        as(TestKeys.REVIEWER).when().get("/v1/jobs").then().statusCode(403); // still valid: forbidden, not unknown
        bootstrap.reconcile(); // idempotent: nothing configured is ever revoked
        as(TestKeys.ADMIN).when().get("/v1/admin/tenants").then().statusCode(200);
    }

    @Test
    void composesPublicExampleKeysAreRefusedUnlessAllowed() {
        BootstrapKeys.Settings example = settings("gq_local-admin-key-NOT-FOR-PRODUCTION-0001", false);
        var e = assertThrows(IllegalStateException.class, () -> new BootstrapKeys(example, null).reconcile());
        assertTrue(e.getMessage().contains("public example key"), e.getMessage());
        assertTrue(!e.getMessage().contains("NOT-FOR-PRODUCTION-0001"), "the key itself is never printed");
    }

    static BootstrapKeys.Settings settings(String admin, boolean allowExampleKeys) {
        return new BootstrapKeys.Settings() {
            public Optional<String> adminKey() {
                return Optional.of(admin);
            }

            public Optional<String> clientKey() {
                return Optional.empty();
            }

            public Optional<String> reviewerKey() {
                return Optional.empty();
            }

            public boolean allowExampleKeys() {
                return allowExampleKeys;
            }
        };
    }
}
