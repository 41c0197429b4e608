package dev.genq.gateway;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The OpenAPI header of the public API: what it is and how callers authenticate. */
@OpenAPIDefinition(info = @Info(title = "genq API", version = "1",
        description = "Asynchronous diffusion image generation: submit, follow, upscale, usage, webhooks. "
                + "Every error is application/problem+json with a stable 'code'."))
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "an API key (gq_...) as 'Authorization: Bearer <key>'; keys are created by an admin")
public class GenqApi extends Application {
}
