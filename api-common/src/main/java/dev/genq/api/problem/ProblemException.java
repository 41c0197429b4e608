package dev.genq.api.problem;

import java.util.Map;

/** Thrown anywhere in a request to answer with a problem+json response (and, where it matters, headers). */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;
    private final transient Map<String, String> headers;

    public ProblemException(Problem problem) {
        this(problem, Map.of());
    }

    public ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public static ProblemException notFound(String code, String detail) {
        return new ProblemException(Problem.of(404, code, "Not found", detail));
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(Problem.of(409, code, "Conflict", detail));
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(Problem.of(400, code, "Invalid request", detail));
    }

    /** 429 with the seconds to wait before trying again. */
    public static ProblemException tooManyRequests(String code, String detail, long retryAfterSeconds) {
        return new ProblemException(Problem.of(429, code, "Too many requests", detail),
                Map.of("Retry-After", Long.toString(Math.max(1, retryAfterSeconds))));
    }

    /** The database cannot be reached: nothing was done, and the same request may be sent again later. */
    public static ProblemException databaseUnavailable() {
        return new ProblemException(Problem.of(503, "database_unavailable", "Service unavailable",
                "the database is unavailable; nothing was stored, retry after the time given in Retry-After"),
                Map.of("Retry-After", Long.toString(DATABASE_RETRY_AFTER_SECONDS)));
    }

    /** Long enough for a database restart or failover, short enough that clients do not pile up work. */
    static final long DATABASE_RETRY_AFTER_SECONDS = 5;
}
