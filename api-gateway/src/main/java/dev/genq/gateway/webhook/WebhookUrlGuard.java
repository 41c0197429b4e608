package dev.genq.gateway.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The SSRF guard: a webhook URL must be http(s), carry no credentials, and its host must resolve only to
 * public addresses; loopback, private, link-local (cloud metadata 169.254.169.254 included), carrier-grade
 * NAT, unique-local, multicast and unspecified addresses are refused unless the host is allow-listed.
 * Checked at submit and again before every attempt, because DNS answers change.
 */
@ApplicationScoped
public class WebhookUrlGuard {

    /** Why a URL is refused: a stable code and a message that names no internal detail beyond the URL's own host. */
    public record Refusal(String code, String message) {
    }

    private final WebhookSettings settings;
    private final Set<String> allowed;

    public WebhookUrlGuard(WebhookSettings settings) {
        this.settings = settings;
        this.allowed = settings.allowedHosts().orElse(List.of()).stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).collect(Collectors.toSet());
    }

    public Optional<Refusal> check(String url) {
        if (url.length() > settings.maxUrlLength()) {
            return Optional.of(new Refusal("webhook_url_too_long", "'webhook' is longer than " + settings.maxUrlLength() + " characters"));
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return invalid();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            return invalid();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowed.contains(host) || allowed.contains(bare)) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            return Optional.of(new Refusal("webhook_host_unresolvable", "the webhook host '" + bare + "' does not resolve"));
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a)) {
                return Optional.of(new Refusal("webhook_url_forbidden", "the webhook host '" + bare
                        + "' resolves to a loopback, private, link-local or otherwise non-public address"));
            }
        }
        return Optional.empty();
    }

    private static Optional<Refusal> invalid() {
        return Optional.of(new Refusal("invalid_webhook_url", "'webhook' must be an absolute http or https URL without credentials or fragment"));
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return !(first == 0                                     // "this network"
                    || first == 100 && second >= 64 && second < 128   // carrier-grade NAT 100.64/10
                    || first == 192 && second == 0 && (b[2] & 0xff) == 0 // IETF protocol assignments
                    || first >= 240);                                // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return false; // unique local fc00::/7 (AWS's metadata fd00:ec2::254 included)
            }
            boolean v4Mapped = true;
            for (int i = 0; i < 10; i++) {
                v4Mapped &= b[i] == 0;
            }
            if (v4Mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isPublic(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
        }
        return true;
    }
}
