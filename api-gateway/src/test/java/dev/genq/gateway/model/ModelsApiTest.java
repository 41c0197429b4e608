package dev.genq.gateway.model;

import static dev.genq.gateway.TestKeys.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.gateway.FixtureModelCatalog;
import dev.genq.gateway.TestKeys;
import dev.genq.storage.job.Stage;
import dev.genq.storage.model.ModelEntry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GET /v1/models: what the catalog holds, with the gateway's limits, the rollout's labels and measured costs. */
@QuarkusTest
public class ModelsApiTest {
    final EntityManager em;

    ModelsApiTest(EntityManager em) {
        this.em = em;
    }

    @Test
    void listsEveryRegisteredModelWithItsLimitsAndDefaults() {
        JsonPath list = as(TestKeys.CLIENT).when().get("/v1/models").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("test-limited", "tiny-base", "tiny-sr"),
                list.<String>getList("data.name").stream().filter(n -> n.startsWith("t")).toList());
        JsonPath base = as(TestKeys.CLIENT).when().get("/v1/models/tiny-base").then().statusCode(200).extract().jsonPath();
        assertEquals("text-to-image", base.getString("kind"));
        assertEquals(true, base.getBoolean("is_default")); // the test profile's genq.jobs.default-model
        assertEquals("1", base.getString("latest_version"));
        assertEquals(4, base.getInt("max_samples"));
        assertEquals("registered", base.getString("versions[0].rollout")); // the test profile names no rollout
        assertEquals(List.of("ddim", "ddpm", "dpmpp_2m"), base.getList("versions[0].samplers"));
        assertEquals(1, base.getInt("versions[0].min_steps"));
        assertEquals(1000, base.getInt("versions[0].max_steps"));
        assertEquals(20, base.getInt("versions[0].default_steps"));
        assertEquals(3.0, base.getDouble("versions[0].default_guidance_scale"));
        assertEquals(32, base.getInt("versions[0].resolution"));
        assertEquals("Apache-2.0", base.getString("versions[0].license"));

        JsonPath limited = as(TestKeys.CLIENT).when().get("/v1/models/" + FixtureModelCatalog.LIMITED).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(false, limited.getBoolean("is_default"));
        assertEquals(50, limited.getInt("versions[0].max_steps")); // the model's own limit under the gateway's
        assertEquals(List.of("ddim"), limited.getList("versions[0].samplers"));
        assertEquals(null, limited.getString("versions[0].license"));

        as(TestKeys.CLIENT).when().get("/v1/models/tiny-sr").then().statusCode(200)
                .body("kind", equalTo("super-resolution")).body("is_default", equalTo(true))
                .body("cost_per_sample_step_usd", nullValue());
    }

    @Test
    void anUnknownModelIs404AndAnonymousCallersAre401() {
        as(TestKeys.CLIENT).when().get("/v1/models/no-such-model").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("model_not_found"));
        given().when().get("/v1/models").then().statusCode(401);
    }

    /**
     * A latent package (no VAE encoder) registers without image inputs: the models API says so, and a job that would
     * start it from an image is refused at submit, naming the field, with nothing created.
     */
    @Test
    void aModelWithoutImageInputsSaysSoAndRefusesAJobFromAnImage() throws InterruptedException {
        String name = "latent-" + UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().run(() -> ModelEntry.register(name, "1", Stage.BASE.modelKind(), 32, 200,
                List.of("ddim"), 8, 4.0, "ddim", "MIT", false));
        awaitSubmit("{\"prompt\":\"text alone is fine\",\"model\":\"" + name + "\"}");
        as(TestKeys.CLIENT).when().get("/v1/models/" + name).then().statusCode(200)
                .body("versions[0].image_inputs", equalTo(false));
        as(TestKeys.CLIENT).when().get("/v1/models/tiny-base").then().statusCode(200)
                .body("versions[0].image_inputs", equalTo(true));
        long before = jobsOf(name);
        as(TestKeys.CLIENT).contentType(ContentType.JSON)
                .body("{\"prompt\":\"from a picture\",\"model\":\"" + name + "\",\"init_image\":\"" + UUID.randomUUID() + "\"}")
                .when().post("/v1/jobs").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("init_image")).body("errors[0].code", equalTo("model_takes_no_image_input"));
        assertEquals(before, jobsOf(name), "nothing created");
    }

    long jobsOf(String model) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from jobs where model = ?1").setParameter(1, model).getSingleResult()).longValue());
    }

    /** The catalog is re-read at most every 2 s: a model registered now is accepted within that (bounded wait). */
    public static String awaitSubmit(String body) throws InterruptedException {
        return awaitSubmit(TestKeys.CLIENT, body);
    }

    public static String awaitSubmit(String key, String body) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            io.restassured.response.Response r = as(key).contentType(ContentType.JSON).body(body).when().post("/v1/jobs");
            if (r.statusCode() == 202) {
                return r.path("id");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not accepted within 30 s: " + r.asString());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void eachVersionIsListedAndEachStageCostIsMeasuredOnceJobsSucceeded() throws InterruptedException {
        String name = "models-api-" + UUID.randomUUID().toString().substring(0, 8);
        String other = name + "-other";
        QuarkusTransaction.requiringNew().run(() -> {
            ModelEntry.register(name, "1", Stage.BASE.modelKind(), 32, 200, List.of("ddim"), 8, 4.0, "ddim", "MIT");
            ModelEntry.register(name, "2", Stage.BASE.modelKind(), 32, 300, List.of("ddim", "dpmpp_2m"), 6, 5.0, "dpmpp_2m", "MIT");
            ModelEntry.register(other, "1", Stage.BASE.modelKind(), 32, 200, List.of("ddim"), 8, 4.0, "ddim", "MIT");
        });
        // a full job of 2 samples: base 10 steps at 0.00002 USD a sample, upscale 5 steps at 0.00001: 0.000002 per
        // sample-step each. Submitted for another model (so nothing reads this one's estimate before its history
        // exists; a read is kept for a while) and recorded as this model's succeeded job.
        String job = awaitSubmit("{\"prompt\":\"a cost\",\"model\":\"" + other + "\",\"num_samples\":2,\"steps\":10,\"mode\":\"full\"}");
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update jobs set status = 'succeeded', model = ?2 where id = ?1")
                    .setParameter(1, UUID.fromString(job)).setParameter(2, name).executeUpdate();
            for (int i = 0; i < 2; i++) {
                for (Object[] stage : new Object[][] {{"base", 10, "0.00002"}, {"super_resolution", 5, "0.00001"}}) {
                    em.createNativeQuery("""
                            insert into sample_costs (job_id, sample_idx, stage, tenant_id, model_version, steps, compute_seconds,
                                                      device_class, price_per_device_hour, cost_usd)
                            select id, ?2, ?3, tenant_id, ?4, ?5, cast(?6 as double precision) * 3600, 'cpu', 1.0, cast(?6 as numeric)
                            from jobs where id = ?1""")
                            .setParameter(1, UUID.fromString(job)).setParameter(2, i).setParameter(3, stage[0])
                            .setParameter(4, name + "@2").setParameter(5, stage[1]).setParameter(6, stage[2]).executeUpdate();
                }
            }
        });
        as(TestKeys.CLIENT).when().get("/v1/models").then().statusCode(200).body("data.name", hasItems(name, "tiny-base"));
        JsonPath model = as(TestKeys.CLIENT).when().get("/v1/models/" + name).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("1", "2"), model.getList("versions.version"));
        assertEquals("2", model.getString("latest_version"));
        assertEquals(300, model.getInt("versions[1].max_steps"));
        assertEquals("dpmpp_2m", model.getString("versions[1].default_sampler"));
        assertEquals(true, model.getBoolean("cost_per_sample_step_usd.base_measured"));
        assertEquals(0, new BigDecimal("0.000002").compareTo(model.getObject("cost_per_sample_step_usd.base", BigDecimal.class)));
        assertEquals(true, model.getBoolean("cost_per_sample_step_usd.upscale_measured"));
        assertEquals(0, new BigDecimal("0.000002").compareTo(model.getObject("cost_per_sample_step_usd.upscale", BigDecimal.class)));
        // the steps its recent upscales ran (5 in the rows above), not the served tiny-sr's default 10: the workers
        // choose the super-resolution model, and the gateway learns its steps from what they billed
        assertEquals(5, model.getInt("cost_per_sample_step_usd.upscale_steps"));
        // the other model has no history: the configured estimate, said so
        JsonPath unmeasured = as(TestKeys.CLIENT).when().get("/v1/models/" + other).then().statusCode(200).extract().jsonPath();
        assertEquals(false, unmeasured.getBoolean("cost_per_sample_step_usd.base_measured"));
        assertEquals(0, new BigDecimal("0.000001").compareTo(unmeasured.getObject("cost_per_sample_step_usd.base", BigDecimal.class)));
    }
}
