package dev.genq.gateway.upload;

import dev.genq.api.auth.Roles;
import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

@Path("/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "uploads")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", description = "no API key, or not a valid one",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "the key lacks the client role",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class UploadResource {
    private final UploadService uploads;
    private final CurrentTenant tenant;
    private final UploadSettings settings;

    public UploadResource(UploadService uploads, CurrentTenant tenant, UploadSettings settings) {
        this.uploads = uploads;
        this.tenant = tenant;
        this.settings = settings;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Blocking
    @Operation(summary = "Upload an image", description = "The raw bytes of a PNG, JPEG or WebP (the format is read from "
            + "the bytes, not the Content-Type), at most genq.uploads.max-bytes (8 MiB), 4096 pixels a side and 4 "
            + "megapixels, checked on the header before decoding. It is stored as an sRGB PNG without alpha (transparent "
            + "pixels over white) and metadata, scanned by moderation (status scanning, then accepted or flagged), and "
            + "kept for genq.uploads.retention (24 h). Jobs use an accepted upload as init_image or mask_image.")
    @RequestBody(content = {@Content(mediaType = "image/png"), @Content(mediaType = "image/jpeg"), @Content(mediaType = "image/webp")})
    @APIResponse(responseCode = "201", description = "stored; moderation scans it next",
            content = @Content(schema = @Schema(implementation = UploadView.class)))
    @APIResponse(responseCode = "400", description = "refused, nothing stored: not_an_image, unsupported_image_format, "
            + "image_truncated, animated_image, image_too_large, image_undecodable or body_too_large",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response upload(byte[] body) {
        UploadView view = UploadView.of(uploads.create(tenant.id(), body == null ? new byte[0] : body));
        return Response.created(URI.create("/v1/uploads/" + view.id())).entity(view).build();
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Blocking
    @Operation(summary = "Upload an image as a form", description = "The same as the raw upload, from a multipart form "
            + "whose part 'file' holds the image (curl -F file=@picture.png).")
    @APIResponse(responseCode = "201", description = "stored; moderation scans it next",
            content = @Content(schema = @Schema(implementation = UploadView.class)))
    @APIResponse(responseCode = "400", description = "refused, nothing stored: file_required or a code of the raw upload",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response uploadForm(@RestForm("file") FileUpload file) {
        if (file == null) {
            throw ProblemException.badRequest("file_required", "the form needs a part named 'file' holding the image");
        }
        try {
            if (Files.size(file.uploadedFile()) > settings.maxBytes()) {
                throw ProblemException.badRequest("body_too_large", "the file is larger than " + settings.maxBytes() + " bytes");
            }
            return upload(Files.readAllBytes(file.uploadedFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a form upload back from disk", e);
        }
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get an upload", description = "Its status (scanning, accepted, flagged), size and expiry.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = UploadView.class)))
    @APIResponse(responseCode = "404", description = "no such upload for this tenant, or it expired (upload_not_found)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public UploadView get(@PathParam("id") String id) {
        return UploadView.of(uploads.get(tenant.id(), id));
    }
}
