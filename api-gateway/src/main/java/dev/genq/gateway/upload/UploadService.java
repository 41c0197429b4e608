package dev.genq.gateway.upload;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.upload.UploadStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Stores uploads (normalised, in the uploads bucket, then a row moderation scans) and hands jobs the ones they
 * may use: the tenant's own, accepted, not expired.
 */
@ApplicationScoped
public class UploadService {
    private static final Logger LOG = Logger.getLogger(UploadService.class);

    private final UploadDecoder decoder;
    private final ObjectStore store;
    private final UploadSettings settings;

    public UploadService(UploadDecoder decoder, ObjectStore store, UploadSettings settings) {
        this.decoder = decoder;
        this.store = store;
        this.settings = settings;
    }

    /** Checks, normalises and stores an upload; nothing is stored when it is refused. */
    public Upload create(UUID tenantId, byte[] body) {
        UploadDecoder.Normalised image = decoder.normalise(body);
        Upload upload = new Upload();
        upload.id = UUID.randomUUID();
        upload.tenantId = tenantId;
        upload.status = UploadStatus.SCANNING;
        upload.format = image.header().format();
        upload.width = image.header().width();
        upload.height = image.header().height();
        upload.bytes = body.length;
        upload.objectKey = Buckets.uploadKey(tenantId, upload.id);
        upload.expiresAt = OffsetDateTime.now().plus(settings.retention());
        // the object first: a row always has its object, and an object without a row (the insert failed) is removed
        store.put(Buckets.UPLOADS, upload.objectKey, image.png(), "image/png");
        try {
            QuarkusTransaction.requiringNew().run(upload::persistAndFlush);
        } catch (RuntimeException e) {
            try {
                store.remove(Buckets.UPLOADS, upload.objectKey);
            } catch (RuntimeException removal) {
                LOG.warnf("upload %s: the object of a failed insert was not removed: %s", upload.id, removal.getMessage());
            }
            throw e;
        }
        return upload; // created_at came back with the insert (@Generated)
    }

    /** @throws ProblemException 404 upload_not_found (also another tenant's, or expired) */
    public Upload get(UUID tenantId, String id) {
        UUID uploadId = parse(id, "id");
        return QuarkusTransaction.requiringNew().call(() -> Upload.findLive(uploadId, tenantId))
                .orElseThrow(() -> ProblemException.notFound("upload_not_found", "no upload " + id + " for this tenant"));
    }

    /**
     * Share-locks the uploads a job names, in id order, until the job's transaction ends: a job's delete (which
     * expires the uploads no other job names, locking them for update in id order) then either sees this job or
     * has already expired them. Ids that are not UUIDs are left to {@link #usableInput} to refuse.
     */
    public void lockForJob(UUID tenantId, String... ids) {
        List<UUID> parsed = new ArrayList<>();
        for (String id : ids) {
            try {
                if (id != null) {
                    parsed.add(UUID.fromString(id));
                }
            } catch (IllegalArgumentException e) {
                // refused by usableInput
            }
        }
        if (!parsed.isEmpty()) {
            Upload.getEntityManager().createNativeQuery("""
                    select id from uploads where tenant_id = ?1 and id = any(cast(?2 as uuid[])) order by id for share""")
                    .setParameter(1, tenantId).setParameter(2, parsed.toArray(UUID[]::new)).getResultList();
        }
    }

    /**
     * The upload a job names in {@code field}, if it may use it; call inside the job's transaction, after
     * {@link #lockForJob}.
     *
     * @throws ProblemException 400 (field error) upload_not_found, upload_not_scanned or input_flagged
     */
    public Upload usableInput(UUID tenantId, String id, String field) {
        UUID uploadId = parse(id, field);
        Upload upload = Upload.findLive(uploadId, tenantId).orElseThrow(() -> fieldError(field, "upload_not_found",
                "no upload " + id + " for this tenant (or it expired)"));
        return switch (upload.status) {
            case ACCEPTED -> upload;
            case SCANNING -> throw new ProblemException(Problem.of(409, "upload_not_scanned", "Conflict",
                    "upload " + id + " (" + field + ") is still being scanned; send the job again when GET /v1/uploads/" + id
                            + " says accepted"), java.util.Map.of("Retry-After", "1"));
            case IN_REVIEW -> throw ProblemException.conflict("upload_in_review", "upload " + id + " (" + field
                    + ") was flagged by the safety policy and waits for a reviewer; it can be used if they accept it");
            case FLAGGED -> throw new ProblemException(Problem.of(422, "input_flagged", "Input refused",
                    "upload " + id + " (" + field + ") was flagged by the safety policy and cannot be used"));
        };
    }

    private static UUID parse(String id, String field) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw fieldError(field, "upload_not_found", "'" + field + "' must be an upload id");
        }
    }

    private static ProblemException fieldError(String field, String code, String message) {
        if (field.equals("id")) {
            return ProblemException.notFound(code, message);
        }
        return new ProblemException(Problem.invalid(java.util.List.of(new Problem.FieldError(field, code, message))));
    }
}
