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

    @Test
    void openApiDescribesTheJobsApiAndItsProblems() {
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/jobs'.post.responses.'202'.description", equalTo("accepted and durably queued"))
                .body("paths.'/v1/jobs'.post.responses.'400'.content.'application/problem+json'.schema.'$ref'",
                        equalTo("#/components/schemas/Problem"))
                .body("paths.'/v1/jobs/{id}/cancel'.post.responses.'409'.description", equalTo("the job already finished"));
    }
}
