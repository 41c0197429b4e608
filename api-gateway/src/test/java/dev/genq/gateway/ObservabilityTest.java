package dev.genq.gateway;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ObservabilityTest {

    @Test
    void readinessReportsEveryDependency() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("kafka", "object-store", "Database connections health check"));
    }

    @Test
    void metricsCountSubmissions() {
        given().contentType(ContentType.JSON).body("{\"prompt\":\"counted\"}").when().post("/v1/jobs").then().statusCode(202);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("genq_jobs_submitted_total{mode=\"preview\"}"));
    }

    @jakarta.inject.Inject
    dev.genq.gateway.metrics.QueueGauges queueGauges;

    @jakarta.inject.Inject
    jakarta.persistence.EntityManager em;

    @Test
    void queueGaugesShowWhatWaitsAndForHowLong() {
        // no worker runs in this module: what is submitted stays queued
        given().contentType(ContentType.JSON).body("{\"prompt\":\"waiting\"}").when().post("/v1/jobs").then().statusCode(202);
        queueGauges.refresh();
        long queued = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where status = 'queued' and mode = 'preview'").getSingleResult()).longValue());
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(queued >= 1);
        org.junit.jupiter.api.Assertions.assertEquals((double) queued, value(metrics, "genq_jobs_queued{mode=\"preview\"}"));
        org.junit.jupiter.api.Assertions.assertEquals(0.0, value(metrics, "genq_jobs_queued{mode=\"full\"}"));
        org.junit.jupiter.api.Assertions.assertTrue(value(metrics, "genq_jobs_queued_oldest_age_seconds{mode=\"preview\"}") >= 0);
        org.junit.jupiter.api.Assertions.assertTrue(metrics.contains("http_server_requests_seconds_bucket{"), "latency histogram buckets");
    }

    private static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not exported"));
    }

    @Test
    void openApiDescribesTheJobsApiAndItsProblems() {
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/jobs'.post.responses.'202'.description", equalTo("accepted and durably queued"))
                .body("paths.'/v1/jobs'.post.responses.'400'.content.'application/problem+json'.schema.'$ref'",
                        equalTo("#/components/schemas/Problem"))
                .body("paths.'/v1/jobs/{id}/cancel'.post.responses.'409'.description", equalTo("the job already finished"))
                .body("components.securitySchemes.apiKey.scheme", equalTo("bearer"))
                .body("paths.'/v1/jobs'.post.responses.'429'.headers.'Retry-After'.description", equalTo("seconds to wait"))
                .body("paths.'/v1/jobs'.post.responses.'402'.description", org.hamcrest.Matchers.containsString("budget"))
                .body("paths.'/v1/jobs/{id}/webhook-deliveries'.get.summary", equalTo("A job's webhook deliveries"))
                .body("paths.'/v1/webhooks/secret/rotate'.post.summary", equalTo("Rotate the webhook signing secret"))
                .body("paths.'/v1/models'.get.summary", equalTo("Models served"))
                .body("paths.'/v1/models/{name}'.get.responses.'404'.description", equalTo("model_not_found"))
                .body("components.schemas.ModelView.properties.cost_per_sample_step_usd", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/admin/tenants/{id}/keys'.post.responses.'201'", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/admin/tenants'.post.responses.'403'.description", equalTo("the key is not an admin key"))
                // the event stream documents both of its event kinds; variations their body and refusals
                .body("paths.'/v1/jobs/{id}/events'.get.responses.'200'.content.'text/event-stream'.schema.oneOf.'$ref'",
                        equalTo(java.util.List.of("#/components/schemas/JobEvent", "#/components/schemas/PreviewEvent")))
                .body("paths.'/v1/jobs/{id}/variations'.post.requestBody.content.'application/json'.schema.'$ref'",
                        equalTo("#/components/schemas/Variation"))
                .body("paths.'/v1/jobs/{id}/variations'.post.responses.'409'", org.hamcrest.Matchers.notNullValue())
                .body("components.schemas.SubmitJob.properties", org.hamcrest.Matchers.hasKey("preview_every"));
    }
}
