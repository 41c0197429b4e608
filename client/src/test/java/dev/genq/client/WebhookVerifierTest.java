package dev.genq.client;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier against the Standard Webhooks specification's own example, and the ways a delivery is refused. */
class WebhookVerifierTest {
    // the example of the Standard Webhooks specification (standard-webhooks.com, "Verifying webhook authenticity")
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final String TIMESTAMP = "1614265330";
    static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    static WebhookVerifier at(long epochSecond, String... secrets) {
        return new WebhookVerifier(List.of(secrets), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    @Test
    void theSpecificationsExampleVerifies() {
        assertDoesNotThrow(() -> at(1614265330, SECRET).verify(ID, TIMESTAMP, SIGNATURE, BODY));
        // during a rotation: several signatures, several secrets, any match will do
        assertDoesNotThrow(() -> at(1614265330, "whsec_" + "AAAAAAAAAAAAAAAAAAAAAAAA", SECRET)
                .verify(ID, TIMESTAMP, "v1,bm90IGl0 " + SIGNATURE, BODY));
    }

    @Test
    void aChangedBodyIdOrSecretIsRefused() {
        byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);
        assertThrows(WebhookVerifier.InvalidWebhookException.class, () -> at(1614265330, SECRET).verify(ID, TIMESTAMP, SIGNATURE, tampered));
        assertThrows(WebhookVerifier.InvalidWebhookException.class, () -> at(1614265330, SECRET).verify(ID + "x", TIMESTAMP, SIGNATURE, BODY));
        assertThrows(WebhookVerifier.InvalidWebhookException.class,
                () -> at(1614265330, "whsec_AAAAAAAAAAAAAAAAAAAAAAAA").verify(ID, TIMESTAMP, SIGNATURE, BODY));
        assertThrows(WebhookVerifier.InvalidWebhookException.class, () -> at(1614265330, SECRET).verify(ID, TIMESTAMP, null, BODY));
    }

    @Test
    void anOldOrFutureTimestampIsRefusedSoACapturedDeliveryCannotBeReplayed() {
        assertDoesNotThrow(() -> at(1614265330 + 300, SECRET).verify(ID, TIMESTAMP, SIGNATURE, BODY));
        assertThrows(WebhookVerifier.InvalidWebhookException.class, () -> at(1614265330 + 301, SECRET).verify(ID, TIMESTAMP, SIGNATURE, BODY));
        assertThrows(WebhookVerifier.InvalidWebhookException.class, () -> at(1614265330 - 301, SECRET).verify(ID, TIMESTAMP, SIGNATURE, BODY));
    }
}
