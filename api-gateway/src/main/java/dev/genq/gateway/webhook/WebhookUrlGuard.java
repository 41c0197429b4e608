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
 * NAT, unique-local, multicast and unspecified addresses are refused unless the host is allow-listed, and so
 * are IPv6 addresses that carry an IPv4 address through a translator or tunnel (NAT64, 6to4, Teredo, IPv4-compatible).
 * Checked at submit and again before every attempt, because DNS answers change; the attempt then connects to
 * the address that was checked ({@link Target}), so a name that resolves elsewhere a moment later is never followed.
 */
@ApplicationScoped
public class WebhookUrlGuard {

    /** Why a URL is refused: a stable code and a message that names no internal detail beyond the URL's own host. */
    public record Refusal(String code, String message) {
    }

    /** Where a URL may be sent: the URL and the address that was checked, to connect to and nowhere else. */
    public record Target(URI uri, InetAddress address) {
    }

    /** A URL's verdict: a refusal, or its target. */
    public record Verdict(Refusal refusal, Target target) {
    }

    private final WebhookSettings settings;
    private final WebhookResolver resolver;
    private final Set<String> allowed;

    public WebhookUrlGuard(WebhookSettings settings, WebhookResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
        this.allowed = settings.allowedHosts().orElse(List.of()).stream()
                .map(h -> h.strip().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).collect(Collectors.toSet());
    }

    public Optional<Refusal> check(String url) {
        return Optional.ofNullable(verdict(url).refusal());
    }

    /** The refusal, or the URL with the one address it may be sent to (the first the resolver gave). */
    public Verdict verdict(String url) {
        if (url.length() > settings.maxUrlLength()) {
            return refused(new Refusal("webhook_url_too_long", "'webhook' is longer than " + settings.maxUrlLength() + " characters"));
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return refused(invalid());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            return refused(invalid());
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            return refused(new Refusal("webhook_host_unresolvable", "the webhook host '" + bare + "' does not resolve"));
        }
        if (addresses.length == 0) {
            return refused(new Refusal("webhook_host_unresolvable", "the webhook host '" + bare + "' does not resolve"));
        }
        if (!allowed.contains(host) && !allowed.contains(bare)) {
            for (InetAddress a : addresses) {
                if (!isPublic(a)) {
                    return refused(new Refusal("webhook_url_forbidden", "the webhook host '" + bare
                            + "' resolves to a loopback, private, link-local or otherwise non-public address"));
                }
            }
        }
        return new Verdict(null, new Target(uri, addresses[0]));
    }

    private static Verdict refused(Refusal refusal) {
        return new Verdict(refusal, null);
    }

    private static Refusal invalid() {
        return new Refusal("invalid_webhook_url", "'webhook' must be an absolute http or https URL without credentials or fragment");
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
            if (embedsIpv4(b)) {
                return false; // a translator or tunnel would carry it to an IPv4 address this check never saw
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

    /**
     * NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32) and
     * IPv4-compatible (::a.b.c.d) addresses: each reaches an IPv4 address through a gateway or tunnel.
     */
    private static boolean embedsIpv4(byte[] b) {
        int w0 = (b[0] & 0xff) << 8 | b[1] & 0xff;
        int w1 = (b[2] & 0xff) << 8 | b[3] & 0xff;
        int w2 = (b[4] & 0xff) << 8 | b[5] & 0xff;
        boolean zeroTo6 = true; // bytes 6..11 zero
        for (int i = 6; i < 12; i++) {
            zeroTo6 &= b[i] == 0;
        }
        boolean nat64 = w0 == 0x64 && w1 == 0xff9b && (w2 == 0 && zeroTo6 || w2 == 1);
        boolean sixToFour = w0 == 0x2002;
        boolean teredo = w0 == 0x2001 && w1 == 0;
        boolean compatible = w0 == 0 && w1 == 0 && w2 == 0 && zeroTo6 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        return nat64 || sixToFour || teredo || compatible;
    }
}
