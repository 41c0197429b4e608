package dev.genq.gateway.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.genq.gateway.webhook.WebhookReceiver.Answer;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A receiver's answer without a body is that answer, every time. Vert.x refuses a response handler once the
 * response has ended, and a bodiless response can end before the dispatcher's callback runs: that race turned
 * an answered attempt into "IllegalStateException: Response already ended" now and then (one 410 recorded as
 * an error, then a retry). Many sends on loopback make the race likely enough to show.
 */
@QuarkusTest
class BodilessAnswerTest {
    static final int SENDS = 400;
    final WebhookDispatcher dispatcher;

    BodilessAnswerTest(WebhookDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Test
    void everyBodilessAnswerIsRecordedAsTheStatusItWas() throws Exception {
        Answer[] script = new Answer[SENDS];
        java.util.Arrays.fill(script, Answer.of(410));
        try (WebhookReceiver receiver = new WebhookReceiver(script)) {
            List<String> wrong = new ArrayList<>();
            UUID tenant = UUID.fromString("00000000-0000-0000-0000-000000000001");
            for (int i = 0; i < SENDS; i++) {
                WebhookDeliveries.Result r = dispatcher.send(new WebhookDeliveries.Claim("msg_test" + i, tenant, receiver.url(), "{}", 0));
                if (r.status() == null || r.status() != 410) {
                    wrong.add(i + ": " + r);
                }
            }
            assertEquals(List.of(), wrong, "attempts not recorded as the receiver's 410");
        }
    }
}
