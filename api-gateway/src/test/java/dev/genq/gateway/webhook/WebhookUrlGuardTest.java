package dev.genq.gateway.webhook;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.storage.job.Job;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSRF guard at submit: refused URLs get a 400 naming the field, and no job is created. */
@QuarkusTest
class WebhookUrlGuardTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "http://10.0.0.1/hook, webhook_url_forbidden",
            "http://169.254.169.254/latest/meta-data/, webhook_url_forbidden",
            "http://[::1]:8080/hook, webhook_url_forbidden",
            "http://localhost:8080/hook, webhook_url_forbidden", // a name resolving to 127.0.0.1, not allow-listed
            "http://127.0.0.2/hook, webhook_url_forbidden",      // loopback, but not the allow-listed literal
            "http://192.168.1.10/hook, webhook_url_forbidden",
            "http://172.16.5.4/hook, webhook_url_forbidden",
            "http://100.64.0.1/hook, webhook_url_forbidden",
            "http://0/hook, webhook_url_forbidden",              // the unspecified IPv4 address, short form
            "http://[::]/hook, webhook_url_forbidden",           // the unspecified IPv6 address
            "http://[fd00:ec2::254]/hook, webhook_url_forbidden",
            "http://[::ffff:10.0.0.1]/hook, webhook_url_forbidden",
            "http://[64:ff9b::a00:1]/hook, webhook_url_forbidden",     // NAT64 of 10.0.0.1
            "http://[64:ff9b:1::a9fe:a9fe]/hook, webhook_url_forbidden", // local-use NAT64 of 169.254.169.254
            "http://[2002:a00:1::1]/hook, webhook_url_forbidden",      // 6to4 of 10.0.0.1
            "http://[2001:0:4136:e378::1]/hook, webhook_url_forbidden", // Teredo
            "http://[::a00:1]/hook, webhook_url_forbidden",            // IPv4-compatible ::10.0.0.1
            "ftp://example.com/hook, invalid_webhook_url",
            "https://user:pass@example.com/hook, invalid_webhook_url",
            "/relative/hook, invalid_webhook_url",
            "http://no-such-host.invalid/hook, webhook_host_unresolvable",
    })
    void refusedWebhookUrlsCreateNothing(String url, String code) {
        long before = QuarkusTransaction.requiringNew().call(() -> Job.count());
        given().contentType(ContentType.JSON).body("{\"prompt\":\"a cat\",\"webhook\":\"" + url + "\"}")
                .when().post("/v1/jobs").then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo(code)).body("field", equalTo("webhook"));
        assertEquals(before, (long) QuarkusTransaction.requiringNew().call(() -> Job.count()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"job.finished", "JOB.STARTED"})
    void unknownEventsInTheFilterAreRefused(String type) {
        given().contentType(ContentType.JSON)
                .body("{\"prompt\":\"a cat\",\"webhook\":\"http://127.0.0.1:9/hook\",\"webhook_events_filter\":[\"" + type + "\"]}")
                .when().post("/v1/jobs").then().statusCode(400).body("code", equalTo("unknown_webhook_event"));
    }
}
