package dev.genq.moderation.upload;

import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.moderation.review.DecisionRequest;
import dev.genq.moderation.review.ReviewerScope;
import dev.genq.storage.objectstore.Buckets;
import dev.genq.storage.objectstore.ObjectStore;
import dev.genq.storage.upload.Upload;
import dev.genq.storage.upload.UploadStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Uploads held for review (genq.moderation.uploads.on-flag=review): a reviewer sees its tenant's, a moderator
 * every tenant's, each with why it was flagged and a short-lived link to the image; approve makes it usable,
 * reject flags it for good.
 */
@Path("/v1/upload-reviews")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEWER)
@Tag(name = "reviews")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "the key has neither the reviewer nor the admin role",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class UploadReviewResource {
    /** Long enough to look at it, short enough that a link shared by mistake soon stops working. */
    static final Duration IMAGE_LINK = Duration.ofMinutes(10);

    private final ReviewerScope scope;
    private final ObjectStore store;

    public UploadReviewResource(ReviewerScope scope, ObjectStore store) {
        this.scope = scope;
        this.store = store;
    }

    /** An upload waiting for review. */
    @Schema(name = "UploadReview")
    public record UploadReviewView(UUID id, UUID tenantId, String status, String reasons, int width, int height,
                                   OffsetDateTime createdAt, String imageUrl) {
    }

    @GET
    @Transactional
    @Operation(summary = "Uploads waiting for review", description = "Oldest first.")
    public Map<String, List<UploadReviewView>> pending(@QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 200) {
            throw ProblemException.badRequest("limit_out_of_range", "'limit' must be between 1 and 200");
        }
        List<Upload> uploads = scope.allTenants()
                ? Upload.find("status = ?1 and expiresAt > current_timestamp order by createdAt", UploadStatus.IN_REVIEW)
                        .page(0, limit).list()
                : Upload.find("status = ?1 and tenantId = ?2 and expiresAt > current_timestamp order by createdAt",
                        UploadStatus.IN_REVIEW, scope.caller().tenantId()).page(0, limit).list();
        return Map.of("data", uploads.stream().map(this::view).toList());
    }

    @POST
    @Path("{id}/decision")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Operation(summary = "Approve or reject an upload", description = "approve: jobs of its tenant may use it; reject: "
            + "it stays flagged and is never used.")
    @APIResponse(responseCode = "404", description = "no such upload waiting for this reviewer (upload_not_found)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "it is not waiting for review (review_decided)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public UploadReviewView decide(@PathParam("id") String id, DecisionRequest request) {
        UploadStatus to = switch (request == null || request.decision() == null ? "" : request.decision()) {
            case "approve" -> UploadStatus.ACCEPTED;
            case "reject" -> UploadStatus.FLAGGED;
            default -> throw ProblemException.badRequest("unknown_decision", "'decision' must be 'approve' or 'reject'");
        };
        Upload upload = visible(id);
        // compare-and-set: two reviewers deciding at once cannot both win
        if (Upload.update("status = ?1, reasons = ?2, scannedAt = current_timestamp where id = ?3 and status = ?4", to,
                upload.reasons + "; " + (to == UploadStatus.ACCEPTED ? "approved" : "rejected") + " by a reviewer",
                upload.id, UploadStatus.IN_REVIEW) != 1) {
            throw ProblemException.conflict("review_decided", "upload " + id + " is not waiting for review");
        }
        Upload.getEntityManager().refresh(upload);
        return view(upload);
    }

    private Upload visible(String id) {
        UUID uploadId;
        try {
            uploadId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("upload_not_found", "no upload " + id);
        }
        Upload upload = Upload.findById(uploadId);
        if (upload == null || !scope.sees(upload.tenantId)) {
            throw ProblemException.notFound("upload_not_found", "no upload " + id + " for this reviewer");
        }
        return upload;
    }

    private UploadReviewView view(Upload u) {
        String url = u.status == UploadStatus.IN_REVIEW ? store.presignGet(Buckets.UPLOADS, u.objectKey, IMAGE_LINK).url() : null;
        return new UploadReviewView(u.id, u.tenantId, u.status.wire(), u.reasons, u.width, u.height, u.createdAt, url);
    }
}
