package dev.genq.gateway.problem;

/** Thrown anywhere in a request to answer with a problem+json response. */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
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
}
