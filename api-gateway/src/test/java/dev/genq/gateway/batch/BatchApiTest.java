package dev.genq.gateway.batch;

import static dev.genq.gateway.TestKeys.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.TestKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The batch API with no worker: creation (JSON and JSONL), refusals that create nothing, paging, cancel, completion. */
@QuarkusTest
class BatchApiTest {
    final EntityManager em;

    BatchApiTest(EntityManager em) {
        this.em = em;
    }

    long count(String sql) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(sql).getSingleResult()).longValue());
    }

    @Test
    void anInvalidItemRefusesTheWholeBatchByItsIndexAndCreatesNothing() {
        String key = TestKeys.newTenantKey("client");
        long jobs = count("select count(*) from jobs");
        long batches = count("select count(*) from batches");
        as(key).contentType(ContentType.JSON)
                .body("{\"items\":[{\"prompt\":\"ok\"},{\"prompt\":\"bad\",\"steps\":0},{\"prompt\":\"ok too\"}]}")
                .when().post("/v1/batches").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("items[1].steps"))
                .body("errors[0].code", equalTo("steps_out_of_range"));
        as(key).contentType(ContentType.JSON).body("{\"items\":[]}").when().post("/v1/batches").then().statusCode(400)
                .body("code", equalTo("batch_size_out_of_range"));
        as(key).contentType(ContentType.JSON).body("[{\"prompt\":\"a bare array\"}]").when().post("/v1/batches").then().statusCode(400)
                .body("code", equalTo("items_required"));
        as(key).contentType("application/jsonl").body("{\"prompt\":\"fine\"}\nnot json\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).when().post("/v1/batches")
                .then().statusCode(400).body("code", equalTo("invalid_json"));
        as(key).contentType(ContentType.JSON).body("{\"items\":[{\"prompt\":\"x\"}],\"webhook\":\"http://10.0.0.1/hook\"}")
                .when().post("/v1/batches").then().statusCode(400).body("errors[0].field", equalTo("webhook"));
        StringBuilder tooMany = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 10_001; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"prompt\":\"p\"}");
        }
        as(key).contentType(ContentType.JSON).body(tooMany.append("]}").toString()).when().post("/v1/batches").then().statusCode(400)
                .body("code", equalTo("batch_size_out_of_range"));
        assertEquals(jobs, count("select count(*) from jobs"), "no job was created");
        assertEquals(batches, count("select count(*) from batches"), "no batch was created");
    }

    @Test
    void aBatchIsBulkWorkPagedInOrderIdempotentPerItemAndCanceledWhole() {
        String key = TestKeys.newTenantKey("client");
        String jsonl = "{\"prompt\":\"one\",\"idempotency_key\":\"k-1\"}\n{\"prompt\":\"two\"}\n\n{\"prompt\":\"three\",\"priority\":\"interactive\"}\n"
                + "{\"prompt\":\"four\"}\n{\"prompt\":\"five\",\"idempotency_key\":\"k-5\"}\n";
        String id = as(key).contentType("application/jsonl").body(jsonl.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .queryParam("webhook", "http://127.0.0.1:9/hook")
                .when().post("/v1/batches").then().statusCode(201)
                .body("items", equalTo(5)).body("status", equalTo("running")).body("counts.queued", equalTo(5))
                .body("webhook", equalTo("http://127.0.0.1:9/hook"))
                .extract().path("id");
        assertEquals(5, count("select count(*) from jobs where priority = 'bulk' and id in "
                + "(select job_id from batch_items where batch_id = '" + id + "')"), "every item is bulk work, whatever it asked");

        List<String> first = as(key).when().get("/v1/batches/" + id + "/items?limit=2").then().statusCode(200)
                .body("items[0].index", equalTo(0)).body("next_cursor", equalTo("2")).extract().path("items.job_id");
        as(key).when().get("/v1/batches/" + id + "/items?limit=2&cursor=4").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("next_cursor", nullValue());
        as(TestKeys.newTenantKey("client")).when().get("/v1/batches/" + id).then().statusCode(404).body("code", equalTo("batch_not_found"));

        // the same keyed items again: their jobs, not new ones
        String again = as(key).contentType(ContentType.JSON)
                .body("{\"items\":[{\"prompt\":\"one\",\"idempotency_key\":\"k-1\"},{\"prompt\":\"new\"}]}")
                .when().post("/v1/batches").then().statusCode(201).extract().path("id");
        String replayed = as(key).when().get("/v1/batches/" + again + "/items").then().extract().path("items[0].job_id");
        assertEquals(first.get(0), replayed, "an item's idempotency key names the job it made");

        as(key).when().post("/v1/batches/" + id + "/cancel").then().statusCode(200)
                .body("counts.canceled", equalTo(5)).body("counts.queued", equalTo(0));
        // completion: within a few checks, once, with one batch.completed delivery
        long deadline = System.nanoTime() + 30_000_000_000L;
        String status;
        do {
            status = as(key).when().get("/v1/batches/" + id).then().statusCode(200).extract().path("status");
        } while (!"canceled".equals(status) && System.nanoTime() < deadline);
        assertEquals("canceled", status);
        assertEquals(1, count("select count(*) from webhook_deliveries where event_type = 'batch.completed' and batch_id = '" + id + "'"));
        assertTrue(count("select count(*) from batches where id = '" + UUID.fromString(id) + "' and completed_at is not null") == 1);

        // a deleted item keeps its place, as deleted
        as(key).when().delete("/v1/jobs/" + first.get(1)).then().statusCode(204);
        as(key).when().get("/v1/batches/" + id + "/items?limit=2").then().statusCode(200)
                .body("items[0].status", equalTo("canceled")).body("items[1].status", equalTo("deleted"))
                .body("items[1].job_id", equalTo(first.get(1)));
        as(key).when().get("/v1/batches/" + id).then().statusCode(200)
                .body("counts.canceled", equalTo(4)).body("counts.deleted", equalTo(1));
    }
}
