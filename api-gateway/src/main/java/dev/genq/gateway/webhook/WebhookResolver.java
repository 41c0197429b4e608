package dev.genq.gateway.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Name resolution for webhook hosts, in one place: the SSRF guard checks the addresses it returns and the
 * dispatcher connects to the address that was checked, never resolving the name again (DNS rebinding).
 */
@ApplicationScoped
public class WebhookResolver {
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return InetAddress.getAllByName(host);
    }
}
