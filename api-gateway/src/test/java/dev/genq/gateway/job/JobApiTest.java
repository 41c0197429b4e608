package dev.genq.gateway.job;

import static dev.genq.gateway.TestKeys.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.storage.job.Job;
import dev.genq.storage.outbox.OutboxMessage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
class JobApiTest {

    static Response submit(String body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/jobs");
    }

    static long jobRows() {
        return QuarkusTransaction.requiringNew().call(() -> Job.count());
    }

    static long outboxRows() {
        return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count());
    }

    @Test
    void submitAnswers202WithLocationAndTheQueuedJob() {
        Response r = submit("{\"prompt\":\"a red apple\",\"num_samples\":2,\"seed\":42}");
        r.then().statusCode(202)
                .body("status", equalTo("queued"))
                .body("mode", equalTo("preview"))
                .body("params.seed", equalTo(42))
                .body("params.num_samples", equalTo(2))
                .body("params.steps", equalTo(20))
                .body("params.sampler", equalTo("ddim"))
                .body("params.model", equalTo("tiny-base"))
                .body("timings.created_at", notNullValue())
                .body("samples", hasSize(0))
                .body("cost.usd", equalTo(0));
        String id = r.path("id");
        assertTrue(r.header("Location").endsWith("/v1/jobs/" + id), r.header("Location"));
        given().when().get("/v1/jobs/" + id).then().statusCode(200)
                .body("id", equalTo(id)).body("params.prompt", equalTo("a red apple"))
                .body("samples", hasSize(0));
    }

    @Test
    void defaultsComeFromTheChosenModel() {
        submit("{\"prompt\":\"a cat\",\"model\":\"test-limited\"}").then().statusCode(202)
                .body("params.steps", equalTo(10)).body("params.guidance_scale", equalTo(2.0f))
                .body("params.sampler", equalTo("ddim")).body("params.model", equalTo("test-limited"));
        submit("{\"prompt\":\"a cat\",\"sampler\":\"dpmpp_2m\",\"steps\":1000}").then().statusCode(202)
                .body("params.sampler", equalTo("dpmpp_2m"));
    }

    @Test
    void aBlockedPromptIsNamedByConceptNotByTermAndNearMissesPass() {
        submit("{\"prompt\":\"m1ddle f1nger emoji\"}").then().statusCode(400)
                .body("code", equalTo("prompt_blocked"))
                .body("detail", equalTo("the prompt asks for 'offensive_gesture', which this platform does not generate"));
        submit("{\"prompt\":\"my middle name is finger\"}").then().statusCode(202);
        submit("{\"prompt\":\"a hand, middle up\",\"negative_prompt\":\"middle finger\"}").then().statusCode(202);
    }

    @Test
    void omittedSeedIsChosenAndReported() {
        submit("{\"prompt\":\"a cat\"}").then().statusCode(202).body("params.seed", notNullValue());
    }

    static Stream<Arguments> invalidBodies() {
        String longPrompt = "x".repeat(1001);
        return Stream.of(
                Arguments.of("missing prompt", "{\"mode\":\"preview\"}", "prompt_required", "prompt"),
                Arguments.of("blocked concept", "{\"prompt\":\"a hand showing the middle finger\"}", "prompt_blocked", "prompt"),
                Arguments.of("blocked concept, disguised", "{\"prompt\":\"M 1 D D L E   f!nger\"}", "prompt_blocked", "prompt"),
                Arguments.of("blank prompt", "{\"prompt\":\"   \"}", "prompt_required", "prompt"),
                Arguments.of("prompt over the limit", "{\"prompt\":\"" + longPrompt + "\"}", "prompt_too_long", "prompt"),
                Arguments.of("num_samples 0", "{\"prompt\":\"a\",\"num_samples\":0}", "num_samples_out_of_range", "num_samples"),
                Arguments.of("num_samples 99", "{\"prompt\":\"a\",\"num_samples\":99}", "num_samples_out_of_range", "num_samples"),
                Arguments.of("steps 0", "{\"prompt\":\"a\",\"steps\":0}", "steps_out_of_range", "steps"),
                Arguments.of("steps 100000", "{\"prompt\":\"a\",\"steps\":100000}", "steps_out_of_range", "steps"),
                Arguments.of("unknown mode", "{\"prompt\":\"a\",\"mode\":\"ultra\"}", "unknown_mode", "mode"),
                Arguments.of("unknown sampler", "{\"prompt\":\"a\",\"sampler\":\"euler_magic\"}", "unknown_sampler", "sampler"),
                Arguments.of("unknown model", "{\"prompt\":\"a\",\"model\":\"sdxl\"}", "unknown_model", "model"),
                Arguments.of("super-resolution model as base", "{\"prompt\":\"a\",\"model\":\"tiny-sr\"}", "unknown_model", "model"),
                Arguments.of("steps over the model's limit", "{\"prompt\":\"a\",\"model\":\"test-limited\",\"steps\":51}", "steps_out_of_range", "steps"),
                Arguments.of("sampler the model does not support", "{\"prompt\":\"a\",\"model\":\"test-limited\",\"sampler\":\"ddpm\"}", "unknown_sampler", "sampler"),
                Arguments.of("guidance over 30", "{\"prompt\":\"a\",\"guidance_scale\":31}", "guidance_scale_out_of_range", "guidance_scale"),
                Arguments.of("negative seed", "{\"prompt\":\"a\",\"seed\":-1}", "seed_out_of_range", "seed"),
                Arguments.of("string for a number", "{\"prompt\":\"a\",\"num_samples\":\"2\"}", "invalid_type", "num_samples"),
                Arguments.of("number for a string", "{\"prompt\":42}", "invalid_type", "prompt"),
                Arguments.of("fraction for an integer", "{\"prompt\":\"a\",\"steps\":2.5}", "invalid_type", "steps"),
                Arguments.of("unknown field", "{\"prompt\":\"a\",\"promt\":\"b\"}", "unknown_field", "promt"),
                Arguments.of("non-JSON body", "prompt=a red apple", "invalid_json", null),
                Arguments.of("truncated JSON", "{\"prompt\":\"a", "invalid_json", null),
                Arguments.of("JSON array", "[1,2]", "invalid_json", null),
                Arguments.of("JSON null", "null", "invalid_json", null),
                Arguments.of("body over the size limit", "{\"prompt\":\"a\",\"negative_prompt\":\"" + "y".repeat(70_000) + "\"}", "body_too_large", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBodies")
    void invalidInputGets400ProblemAndCreatesNothing(String name, String body, String code, String field) {
        long jobsBefore = jobRows();
        long outboxBefore = outboxRows();
        var then = submit(body).then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("code", equalTo(code))
                .body("type", equalTo("urn:genq:problem:" + code))
                .body("detail", notNullValue());
        if (field != null) {
            then.body("field", equalTo(field));
        }
        assertEquals(jobsBefore, jobRows(), "no job row");
        assertEquals(outboxBefore, outboxRows(), "no outbox row, so no Kafka message");
    }

    @Test
    void everyInvalidFieldIsListed() {
        submit("{\"num_samples\":0,\"steps\":0}").then().statusCode(400)
                .body("code", equalTo("prompt_required"))
                .body("errors.code", equalTo(List.of("prompt_required", "num_samples_out_of_range", "steps_out_of_range")));
    }

    @Test
    void unknownJobIs404Problem() {
        for (String id : List.of(UUID.randomUUID().toString(), "not-a-uuid")) {
            given().when().get("/v1/jobs/" + id).then().statusCode(404)
                    .contentType("application/problem+json").body("code", equalTo("job_not_found"));
            given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(404)
                    .contentType("application/problem+json").body("code", equalTo("job_not_found"));
        }
    }

    @Test
    void listIsNewestFirstWithCursorAndStatusFilter() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit("{\"prompt\":\"list " + tag + " " + i + "\"}").then().statusCode(202).extract().path("id"));
        }
        given().when().post("/v1/jobs/" + ids.get(3) + "/cancel").then().statusCode(200);

        List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 50 && seen.size() < 5; page++) {
            var req = given().queryParam("limit", 2);
            if (cursor != null) {
                req.queryParam("cursor", cursor);
            }
            Response r = req.when().get("/v1/jobs");
            r.then().statusCode(200);
            List<String> data = r.path("data.id");
            seen.addAll(data);
            cursor = r.path("next_cursor");
            if (cursor == null) {
                break;
            }
        }
        // our five jobs are the newest ones, newest first
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), seen.subList(0, 5));

        List<String> canceled = given().queryParam("status", "canceled").when().get("/v1/jobs")
                .then().statusCode(200).extract().path("data.id");
        assertEquals(ids.get(3), canceled.get(0));
        given().queryParam("status", "bogus").when().get("/v1/jobs").then().statusCode(400)
                .body("code", equalTo("unknown_status"));
        given().queryParam("cursor", "garbage!").when().get("/v1/jobs").then().statusCode(400)
                .body("code", equalTo("invalid_cursor"));
        given().queryParam("limit", 0).when().get("/v1/jobs").then().statusCode(400)
                .body("code", equalTo("limit_out_of_range"));
    }

    @Test
    void cancelQueuedJobIsIdempotentAndFinishedJobsAreNotCancelable() {
        String id = submit("{\"prompt\":\"cancel me\"}").then().statusCode(202).extract().path("id");
        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200)
                .body("status", equalTo("canceled")).body("timings.finished_at", notNullValue());
        given().when().post("/v1/jobs/" + id + "/cancel").then().statusCode(200).body("status", equalTo("canceled"));

        String done = submit("{\"prompt\":\"already done\"}").then().statusCode(202).extract().path("id");
        QuarkusTransaction.requiringNew().run(() ->
                Job.update("status = 'succeeded' where id = ?1", UUID.fromString(done)));
        given().when().post("/v1/jobs/" + done + "/cancel").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("job_not_cancelable"));
        given().when().get("/v1/jobs/" + done).then().body("status", equalTo("succeeded"))
                .body("error", nullValue());
        assertNotEquals(id, done);
    }
}
