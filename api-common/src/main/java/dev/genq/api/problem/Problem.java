package dev.genq.api.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail. {@code code} is the stable, machine-readable reason; {@code type} is the
 * same code as a URN so clients can switch on either; {@code errors} lists every invalid field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String field,
                      List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field of a request. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(String field, String code, String message) {
    }

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem("urn:genq:problem:" + code, title, status, detail, code, null, null);
    }

    public static Problem invalid(List<FieldError> errors) {
        FieldError first = errors.get(0);
        String detail = errors.size() == 1 ? first.message()
                : first.message() + " (and " + (errors.size() - 1) + " more)";
        return new Problem("urn:genq:problem:" + first.code(), "Invalid request", 400, detail, first.code(),
                first.field(), List.copyOf(errors));
    }
}
