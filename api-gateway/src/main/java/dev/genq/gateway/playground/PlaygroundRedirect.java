package dev.genq.gateway.playground;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The gateway's root is its playground (a static page under /playground/, a client of the /v1 API). */
@Path("/")
@PermitAll
public class PlaygroundRedirect {

    @GET
    @Operation(hidden = true)
    public Response root() {
        // relative (RFC 9110), so it stays right behind a proxy that rewrites the host
        return Response.status(Response.Status.SEE_OTHER).header("Location", "/playground/").build();
    }
}
