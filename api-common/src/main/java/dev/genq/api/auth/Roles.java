package dev.genq.api.auth;

/** The roles an API key can hold. An admin key may do everything a client or reviewer key may. */
public final class Roles {
    public static final String CLIENT = "client";
    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
