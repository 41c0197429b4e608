package dev.genq.gateway.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.api.auth.ApiKeyIdentityProvider;
import dev.genq.gateway.TestKeys;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Unknown keys cost little: one is looked up once while it is remembered (PT30S in the test profile), and an
 * address sending many gets 429 before any lookup (bursts of 50, 10 a second) while a key this gateway
 * already knows keeps working from that address. Each test sends from its own loopback address
 * (127.x.y.z), so the throttle it builds up touches no other test.
 */
@QuarkusTest
class UnknownKeysTest {
    final ApiKeyIdentityProvider identities;

    @TestHTTPResource("/v1/jobs")
    URL jobs;

    UnknownKeysTest(ApiKeyIdentityProvider identities) {
        this.identities = identities;
    }

    static String randomKey() {
        return "gq_unknown-" + UUID.randomUUID().toString().replace("-", "");
    }

    static String freshLoopbackAddress() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "127." + r.nextInt(1, 255) + "." + r.nextInt(0, 256) + "." + r.nextInt(1, 255);
    }

    /** GET /v1/jobs with a key, sent from {@code source}; returns the status line and headers. */
    String get(String source, String key) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(30_000);
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(jobs.getHost(), jobs.getPort()), 10_000);
            socket.getOutputStream().write(("GET /v1/jobs HTTP/1.1\r\nHost: " + jobs.getHost() + "\r\nAuthorization: Bearer " + key
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void anUnknownKeyIsLookedUpOnceWhileItIsRemembered() throws IOException {
        String from = freshLoopbackAddress();
        String unknown = randomKey();
        long before = identities.lookups();
        for (int i = 0; i < 20; i++) {
            assertEquals(401, status(get(from, unknown)));
        }
        assertEquals(1, identities.lookups() - before);
    }

    @Test
    void anAddressSendingManyUnknownKeysIsThrottledBeforeAnyLookupAndKnownKeysStillPass() throws IOException {
        String from = freshLoopbackAddress();
        assertEquals(200, status(get(from, TestKeys.CLIENT))); // known to this gateway now
        long before = identities.lookups();
        int refused = 0;
        int unauthorized = 0;
        for (int i = 0; i < 80; i++) {
            String r = get(from, randomKey());
            if (status(r) == 429) {
                refused++;
                assertTrue(r.contains("\"code\":\"authentication_rate_limited\""), r);
                assertTrue(r.toLowerCase().contains("retry-after:"), r);
            } else {
                assertEquals(401, status(r), r);
                unauthorized++;
            }
        }
        assertTrue(refused >= 10, "refused " + refused + " of 80 after a burst of 50");
        assertEquals(unauthorized, identities.lookups() - before, "a refused key is never looked up");
        assertEquals(200, status(get(from, TestKeys.CLIENT)), "a known key passes from the throttled address");
        assertEquals(401, status(get(freshLoopbackAddress(), randomKey())), "another address is not throttled");
    }
}
