package dev.genq.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The API refused a request: its problem details (RFC 9457) with the stable {@code code} to switch on, or
 * {@code status} 0 when the gateway could not be reached after every retry.
 */
public class GenqException extends RuntimeException {
    private final int status;
    private final Problem problem;

    GenqException(int status, Problem problem) {
        super(status + " " + problem.code() + ": " + problem.detail());
        this.status = status;
        this.problem = problem;
    }

    GenqException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.problem = new Problem(null, null, 0, message, "unreachable", null, List.of());
    }

    public int status() {
        return status;
    }

    /** The stable machine-readable reason, e.g. {@code steps_out_of_range}. */
    public String code() {
        return problem.code();
    }

    public Problem problem() {
        return problem;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Problem(String type, String title, int status, String detail, String code, String field,
                          List<FieldError> errors) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FieldError(String field, String code, String message) {
    }
}
