package dev.genq.client;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook genq delivered, by the Standard Webhooks v1 scheme: {@code webhook-signature} holds one or more
 * {@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">} (several while a secret is being rotated), keyed with the
 * base64 part of the endpoint's {@code whsec_} secret; a timestamp further than the tolerance from now is refused,
 * so a captured delivery cannot be replayed later. Give it the raw body bytes, before any JSON parsing.
 */
public final class WebhookVerifier {
    private final List<byte[]> keys;
    private final Duration tolerance;
    private final Clock clock;

    /** @param secrets the endpoint's live secrets ({@code whsec_...}); any one may have signed */
    public WebhookVerifier(List<String> secrets) {
        this(secrets, Duration.ofMinutes(5), Clock.systemUTC());
    }

    public WebhookVerifier(List<String> secrets, Duration tolerance, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one secret");
        }
        this.keys = secrets.stream().map(s -> Base64.getDecoder().decode(s.startsWith("whsec_") ? s.substring(6) : s)).toList();
        this.tolerance = tolerance;
        this.clock = clock;
    }

    /**
     * @param id the {@code webhook-id} header, @param timestamp {@code webhook-timestamp}, @param signatures
     * {@code webhook-signature}
     * @throws InvalidWebhookException when a header is missing, the timestamp is out of tolerance, or no signature matches
     */
    public void verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            throw new InvalidWebhookException("missing webhook-id, webhook-timestamp or webhook-signature");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            throw new InvalidWebhookException("webhook-timestamp is not a number");
        }
        long now = clock.instant().getEpochSecond();
        if (seconds < now - tolerance.toSeconds() || seconds > now + tolerance.toSeconds()) {
            throw new InvalidWebhookException("webhook-timestamp is more than " + tolerance.toSeconds() + " s from now");
        }
        // signed as sent: the header's text, not the number parsed from it
        byte[] signed = concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        for (String candidate : signatures.trim().split(" +")) {
            if (!candidate.startsWith("v1,")) {
                continue; // another scheme (e.g. v1a, asymmetric): not ours to check
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            for (byte[] key : keys) {
                if (MessageDigest.isEqual(hmac(key, signed), given)) { // constant time
                    return;
                }
            }
        }
        throw new InvalidWebhookException("no signature matches");
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A delivery that must not be trusted. */
    public static final class InvalidWebhookException extends RuntimeException {
        InvalidWebhookException(String message) {
            super(message);
        }
    }
}
