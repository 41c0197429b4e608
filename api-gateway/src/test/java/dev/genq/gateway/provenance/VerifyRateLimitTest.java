package dev.genq.gateway.provenance;

import static dev.genq.gateway.TestKeys.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.gateway.quota.QuotaTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Verifications have a per-tenant rate of their own (2/s, a burst of 20): past it 429 verify_rate_limited; others unaffected. */
@QuarkusTest
class VerifyRateLimitTest {
    static byte[] png() throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, (x * 8) << 16 | (y * 8) << 8 | ((x ^ y) * 8));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static Response verify(String key, byte[] image) {
        return as(key).contentType("image/png").body(image).when().post("/v1/provenance/verify");
    }

    @Test
    void aTenantOverItsVerifyRateIsRefusedAndAnotherIsNot() throws Exception {
        byte[] image = png();
        String key = QuotaTest.tenant(Map.of(), Map.of()).key();
        long t0 = System.nanoTime();
        int accepted = 0;
        Response refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            Response r = verify(key, image);
            if (r.statusCode() == 200) {
                accepted++;
            } else {
                refused = r;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(refused != null, "200 verifications in " + seconds + " s and none refused");
        assertEquals(429, refused.statusCode(), refused.asString());
        assertEquals("verify_rate_limited", refused.jsonPath().getString("code"));
        assertTrue(Long.parseLong(refused.getHeader("Retry-After")) >= 1, refused.getHeader("Retry-After"));
        // the burst, plus what the rate refilled while the requests ran
        assertTrue(accepted >= 20 && accepted <= 20 + 2 * seconds + 1, accepted + " accepted in " + seconds + " s");

        String other = QuotaTest.tenant(Map.of(), Map.of()).key();
        assertEquals(200, verify(other, image).statusCode(), "another tenant's verifications are its own");
    }
}
