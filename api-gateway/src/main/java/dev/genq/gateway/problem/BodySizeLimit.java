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
 * Refuses request bodies over {@code genq.api.max-body-bytes} with a problem+json 400, whether the
 * size is declared (Content-Length) or only discovered while reading (chunked).
 */
@Provider
@PreMatching
public class BodySizeLimit implements ContainerRequestFilter {
    private final long maxBytes;

    public BodySizeLimit(@ConfigProperty(name = "genq.api.max-body-bytes", defaultValue = "65536") long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        if (ctx.getLength() > maxBytes) {
            ctx.abortWith(ProblemMappers.response(tooLarge()));
            return;
        }
        if (ctx.hasEntity()) {
            ctx.setEntityStream(new Limited(ctx.getEntityStream(), maxBytes));
        }
    }

    private Problem tooLarge() {
        return Problem.of(400, "body_too_large", "Invalid request",
                "the request body is larger than " + maxBytes + " bytes");
    }

    private final class Limited extends FilterInputStream {
        private long remaining;

        Limited(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && --remaining < 0) {
                throw new ProblemException(tooLarge());
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0 && (remaining -= n) < 0) {
                throw new ProblemException(tooLarge());
            }
            return n;
        }
    }
}
