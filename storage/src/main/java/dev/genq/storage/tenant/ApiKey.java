package dev.genq.storage.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.annotations.Generated;

/**
 * An API key. The raw key ({@code gq_} + 40 random base64url characters, 240 bits) is shown once and
 * only its SHA-256 is stored: with that much entropy a slow password hash adds nothing, and a fast one
 * keeps authentication to one indexed lookup.
 */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {
    public static final String PREFIX = "gq_";
    public static final Set<String> ROLES = Set.of("client", "reviewer", "moderator", "admin");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Id
    public UUID id;

    @Column(name = "tenant_id")
    public UUID tenantId;

    public String name;

    /** The first characters of the raw key, enough to tell keys apart in a list. */
    public String prefix;

    @Column(name = "key_hash")
    public String keyHash;

    /** Comma-separated, sorted. */
    public String roles;

    /** null: the configured default. */
    @Column(name = "rate_limit_per_second")
    public Double rateLimitPerSecond;

    @Column(name = "created_at", insertable = false, updatable = false)
    @Generated
    public OffsetDateTime createdAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    public Set<String> roleSet() {
        return new TreeSet<>(Arrays.asList(roles.split(",")));
    }

    /** A new random raw key; the caller stores {@link #create} of it and shows it once. */
    public static String generate() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether a string has the shape of a key (checked before any lookup). */
    public static boolean wellFormed(String raw) {
        return raw != null && raw.startsWith(PREFIX) && raw.length() >= 32 && raw.length() <= 128
                && raw.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-'));
    }

    public static String hash(String raw) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Persists a key for {@code raw} (the caller must be in a transaction). */
    public static ApiKey create(UUID tenantId, String name, Set<String> roles, String raw, Double ratePerSecond) {
        ApiKey key = new ApiKey();
        key.id = UUID.randomUUID();
        key.tenantId = tenantId;
        key.name = name;
        key.prefix = raw.substring(0, Math.min(raw.length(), PREFIX.length() + 6));
        key.keyHash = hash(raw);
        key.roles = String.join(",", new TreeSet<>(roles));
        key.rateLimitPerSecond = ratePerSecond;
        key.persistAndFlush();
        return key;
    }

    /** The live (not revoked) key with this raw value. */
    public static Optional<ApiKey> findLive(String raw) {
        return find("keyHash = ?1 and revokedAt is null", hash(raw)).firstResultOptional();
    }
}
