package dev.genq.api.auth;

/**
 * The roles an API key can hold. {@code admin} (tenants and keys) and {@code moderator} (the review queue of
 * every tenant, nothing else) are the operator's: they count only on keys of the operator's (default)
 * tenant. An admin key may also do what the others may; a moderator key is a reviewer of every tenant.
 */
public final class Roles {
    public static final String CLIENT = "client";
    public static final String REVIEWER = "reviewer";
    public static final String MODERATOR = "moderator";
    public static final String ADMIN = "admin";

    /** Roles only the operator's tenant may hold. */
    public static final java.util.Set<String> OPERATOR_ONLY = java.util.Set.of(ADMIN, MODERATOR);

    private Roles() {
    }
}
