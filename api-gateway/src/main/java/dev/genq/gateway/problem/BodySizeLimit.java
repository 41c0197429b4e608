package dev.genq.gateway.problem;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.api.problem.ProblemMappers;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses request bodies over {@code genq.api.max-body-bytes} (uploads: {@code genq.uploads.max-bytes}, batches:
 * {@code genq.batches.max-bytes}) with a
 * problem+json 400, whether the size is declared (Content-Length) or only discovered while reading (chunked).
 */
@Provider
@PreMatching
public class BodySizeLimit implements ContainerRequestFilter {
    private final long jsonBytes;
    private final long uploadBytes;
    private final long batchBytes;

    public BodySizeLimit(@ConfigProperty(name = "genq.api.max-body-bytes", defaultValue = "65536") long jsonBytes,
                         // a property, not UploadSettings: filters are built before config mappings can be injected
                         @ConfigProperty(name = "genq.uploads.max-bytes", defaultValue = "8388608") long uploadBytes,
                         // 10,000 items of a few hundred bytes each
                         @ConfigProperty(name = "genq.batches.max-bytes", defaultValue = "8388608") long batchBytes) {
        this.jsonBytes = jsonBytes;
        this.uploadBytes = uploadBytes;
        this.batchBytes = batchBytes;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        long maxBytes = path.startsWith("/v1/uploads") || path.equals("/v1/provenance/verify") ? uploadBytes : path.equals("/v1/batches") ? batchBytes : jsonBytes;
        if (ctx.getLength() > maxBytes) {
            ctx.abortWith(ProblemMappers.response(tooLarge(maxBytes)));
            return;
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new Limited(ctx.getEntityStream(), maxBytes));
        }
    }

    private static Problem tooLarge(long maxBytes) {
        return Problem.of(400, "body_too_large", "Invalid request",
                "the request body is larger than " + maxBytes + " bytes");
    }

    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long remaining;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --remaining < 0) {
                throw new ProblemException(tooLarge(limit));
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0 && (remaining -= n) < 0) {
                throw new ProblemException(tooLarge(limit));
            }
            return n;
        }
    }
}
