package dev.genq.gateway.job;

import dev.genq.storage.job.Sha256;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.api.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Idempotency keys for job submission and upscales, kept 24 hours. A key is claimed in the submitting transaction
 * (insert on conflict do nothing), so two concurrent requests with one key create one job: the second
 * waits on the first's row lock, then finds its job. Same key with a different body is a 409.
 */
@ApplicationScoped
public class IdempotencyKeys {
    static final int MAX_KEY_LENGTH = 255;

    private final EntityManager em;
    private final ObjectMapper json;

    public IdempotencyKeys(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    public static void validate(String key) {
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ProblemException.badRequest("invalid_idempotency_key",
                    "'Idempotency-Key' must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
        }
    }

    /** The job an earlier request with this key and the same body created, if any; 409 for another body. */
    public Optional<UUID> existing(UUID tenantId, String key, String requestHash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select request_hash, job_id from idempotency_keys
                where tenant_id = ?1 and key = ?2 and created_at > now() - interval '24 hours'""")
                .setParameter(1, tenantId).setParameter(2, key).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        if (!rows.get(0)[0].equals(requestHash)) {
            throw ProblemException.conflict("idempotency_key_reused",
                    "this Idempotency-Key was used with a different request body in the last 24 hours");
        }
        return Optional.of((UUID) rows.get(0)[1]);
    }

    /** @return true if this transaction now owns the key; false if another request claimed it first */
    public boolean claim(UUID tenantId, String key, String requestHash, UUID jobId) {
        // an expired claim is taken over; a live one is left alone
        return em.createNativeQuery("""
                insert into idempotency_keys (tenant_id, key, request_hash, job_id) values (?1, ?2, ?3, ?4)
                on conflict (tenant_id, key) do update
                    set request_hash = excluded.request_hash, job_id = excluded.job_id, created_at = now()
                    where idempotency_keys.created_at <= now() - interval '24 hours'""")
                .setParameter(1, tenantId).setParameter(2, key).setParameter(3, requestHash).setParameter(4, jobId)
                .executeUpdate() == 1;
    }

    /**
     * Deletes up to {@code limit} keys past their 24 hours (they answer nothing any more: {@link #existing}
     * ignores them and {@link #claim} takes them over), oldest first. @return how many were deleted
     */
    public int purgeExpired(int limit) {
        return em.createNativeQuery("""
                delete from idempotency_keys where ctid in (
                    select ctid from idempotency_keys where created_at <= now() - interval '24 hours'
                    order by created_at limit ?1)""").setParameter(1, limit).executeUpdate();
    }

    /** Hash of the request as parsed (canonical JSON), so whitespace and field order do not matter. */
    public String hash(SubmitJobRequest request) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode tree = json.valueToTree(request);
            // fields added later are left out when absent, so a request sent before they existed keeps its hash
            // (a client retrying across an upgrade is replayed, not refused as a reused key)
            for (String added : ADDED_FIELDS) {
                if (tree.path(added).isNull()) {
                    tree.remove(added);
                }
            }
            tree.remove("dry_run"); // a hashed request is never a dry run: false and absent are the same request
            return Sha256.hex(json.writeValueAsBytes(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Submit fields added after idempotency keys shipped (V16 onwards). */
    private static final List<String> ADDED_FIELDS = List.of("preview_every", "init_image", "strength", "mask_image", "outpaint", "priority", "cache",
            "width", "height");

    /**
     * Hash of an upscale: its parent and sample are the request (the path names the parent), and the prefix
     * keeps one key from meaning both a submit and an upscale.
     */
    public String hashUpscale(String parentId, int sample) {
        return Sha256.hex(("upscale " + parentId.toLowerCase(java.util.Locale.ROOT) + " " + sample)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The same for a variation: the parent, and the request as parsed (another prefix again). */
    public String hashVariation(String parentId, VariationRequest request) {
        try {
            return Sha256.hex(("variation " + parentId.toLowerCase(java.util.Locale.ROOT) + " "
                    + json.writeValueAsString(request)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Another request claimed the key while this one was creating its job: this one rolls back. */
    public static class ClaimedConcurrently extends RuntimeException {
        public ClaimedConcurrently() {
            super(null, null, false, false);
        }
    }
}
