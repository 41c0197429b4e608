package dev.genq.api.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer <api key>}. No header means an anonymous caller (the endpoint's
 * roles then answer 401); a header that is not a live key fails authentication (401).
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {
    static final String SCHEME = "Bearer";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        String raw = bearerToken(header);
        if (raw == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a bearer token"));
        }
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(new TokenCredential(raw, "bearer"));
        if (context.request().remoteAddress() != null) { // the forwarded address where proxy forwarding is on
            request.setAttribute(ApiKeyIdentityProvider.CLIENT_ADDRESS, context.request().remoteAddress().hostAddress());
        }
        return identityProviderManager.authenticate(request);
    }

    /** The token of an {@code Authorization} header's Bearer scheme, or null for another scheme or none. */
    public static String bearerToken(String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            return null;
        }
        return header.substring(SCHEME.length() + 1).strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", SCHEME + " realm=\"genq\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}
