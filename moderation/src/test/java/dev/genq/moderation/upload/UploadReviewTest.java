package dev.genq.moderation.upload;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.upload.UploadStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** With genq.moderation.uploads.on-flag=review a flagged upload waits for its tenant's reviewer, who accepts or rejects it. */
@QuarkusTest
@TestProfile(UploadReviewTest.ReviewFlaggedUploads.class)
class UploadReviewTest {

    public static class ReviewFlaggedUploads implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genq.moderation.uploads.on-flag", "review");
        }
    }

    @Inject
    UploadScanTest.Uploads uploads;
    @Inject
    ModerationFixtures fixtures;

    static io.restassured.specification.RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    @Test
    void aFlaggedUploadWaitsForItsTenantsReviewerWhoDecidesOnce() throws Exception {
        ModerationFixtures.Tenancy tenancy = fixtures.tenant();
        ModerationFixtures.Tenancy other = fixtures.tenant();
        byte[] red = ModerationFixtures.picture(Color.RED);
        UUID approved = uploads.stored(tenancy.tenant(), red, Duration.ofHours(1));
        UUID rejected = uploads.stored(tenancy.tenant(), red, Duration.ofHours(1));
        Upload held = uploads.awaitScanned(approved);
        assertEquals(UploadStatus.IN_REVIEW, held.status);
        assertTrue(held.reasons.contains("weapon"), held.reasons);
        assertEquals(UploadStatus.IN_REVIEW, uploads.awaitScanned(rejected).status);

        String url = as(tenancy.reviewerKey()).when().get("/v1/upload-reviews").then().statusCode(200)
                .body("data.id", hasItem(approved.toString())).body("data.id", hasItem(rejected.toString()))
                .extract().path("data.find { it.id == '" + approved + "' }.image_url");
        HttpResponse<byte[]> image = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, image.statusCode());
        assertArrayEquals(red, image.body(), "the reviewer sees the stored image");

        as(other.reviewerKey()).when().get("/v1/upload-reviews").then().statusCode(200)
                .body("data.id", not(hasItem(approved.toString())));
        as(other.reviewerKey()).contentType(ContentType.JSON).body("{\"decision\":\"approve\"}")
                .when().post("/v1/upload-reviews/" + approved + "/decision").then().statusCode(404)
                .body("code", equalTo("upload_not_found"));
        as(tenancy.reviewerKey()).contentType(ContentType.JSON).body("{\"decision\":\"maybe\"}")
                .when().post("/v1/upload-reviews/" + approved + "/decision").then().statusCode(400)
                .body("code", equalTo("unknown_decision"));

        as(tenancy.reviewerKey()).contentType(ContentType.JSON).body("{\"decision\":\"approve\"}")
                .when().post("/v1/upload-reviews/" + approved + "/decision").then().statusCode(200)
                .body("status", equalTo("accepted"));
        as(tenancy.reviewerKey()).contentType(ContentType.JSON).body("{\"decision\":\"reject\"}")
                .when().post("/v1/upload-reviews/" + approved + "/decision").then().statusCode(409)
                .body("code", equalTo("review_decided"));
        as(tenancy.reviewerKey()).contentType(ContentType.JSON).body("{\"decision\":\"reject\"}")
                .when().post("/v1/upload-reviews/" + rejected + "/decision").then().statusCode(200)
                .body("status", equalTo("flagged"));
        assertEquals(UploadStatus.ACCEPTED, QuarkusTransaction.requiringNew().call(() -> Upload.<Upload>findById(approved)).status);
        assertEquals(UploadStatus.FLAGGED, QuarkusTransaction.requiringNew().call(() -> Upload.<Upload>findById(rejected)).status);
        as(tenancy.clientKey()).when().get("/v1/upload-reviews").then().statusCode(403);
    }
}
