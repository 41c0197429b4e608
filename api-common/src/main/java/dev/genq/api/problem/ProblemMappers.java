package dev.genq.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.genq.storage.outage.DatabaseOutage;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the gateway as application/problem+json with a stable code. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    public static Response response(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder r = Response.status(e.problem().status()).type(Problem.MEDIA_TYPE).entity(e.problem());
        e.headers().forEach(r::header);
        return r.build();
    }

    /** No key at all on an endpoint that needs one. */
    @ServerExceptionMapper
    public Response unauthenticated(io.quarkus.security.UnauthorizedException e) {
        return challenge(Problem.of(401, "api_key_required", "Unauthorized",
                "send an API key as 'Authorization: Bearer <key>'"));
    }

    /** A key that is malformed, unknown or revoked. The reason is not told: no oracle for key guessing. */
    @ServerExceptionMapper
    public Response badKey(io.quarkus.security.AuthenticationFailedException e) {
        if (e.getCause() instanceof ProblemException p) {
            return problem(p); // the key could not be checked at all (database down): not the caller's fault
        }
        return challenge(Problem.of(401, "invalid_api_key", "Unauthorized", "the API key is not valid"));
    }

    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return response(Problem.of(403, "forbidden", "Forbidden", "this API key's roles do not allow this call"));
    }

    private static Response challenge(Problem problem) {
        return Response.status(401).type(Problem.MEDIA_TYPE).header("WWW-Authenticate", "Bearer realm=\"genq\"")
                .entity(problem).build();
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        String field = path(e);
        return response(Problem.invalid(java.util.List.of(
                new Problem.FieldError(field, "unknown_field", "unknown field '" + field + "'"))));
    }

    @ServerExceptionMapper
    public Response wrongType(MismatchedInputException e) {
        String field = path(e);
        if (field.isEmpty()) {
            return response(Problem.of(400, "invalid_json", "Invalid request", "the body must be a JSON object"));
        }
        String expected = e.getTargetType() == null ? "another type" : jsonType(e.getTargetType());
        return response(Problem.invalid(java.util.List.of(
                new Problem.FieldError(field, "invalid_type", "'" + field + "' must be " + expected))));
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m) {
            return wrongType(m);
        }
        return response(Problem.of(400, "invalid_json", "Invalid request", "the body is not valid JSON"));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return response(Problem.of(404, "not_found", "Not found", "no such resource"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return response(Problem.of(405, "method_not_allowed", "Method not allowed", "this resource does not support that method"));
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e) {
        return response(Problem.of(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json"));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return malformed(j);
        }
        if (status == 400) {
            return response(Problem.of(400, "invalid_json", "Invalid request", "the body could not be read as JSON"));
        }
        return response(Problem.of(status, "http_" + status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage()));
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Exception e) {
        if (DatabaseOutage.isCause(e)) {
            LOG.warnf("database unavailable: %s", e.getMessage());
            return problem(ProblemException.databaseUnavailable());
        }
        LOG.error("unexpected error", e);
        return response(Problem.of(500, "internal_error", "Internal error", "the request failed; it is safe to retry"));
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String jsonType(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        return "an object";
    }
}
