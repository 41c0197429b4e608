package dev.genq.gateway.job;

import dev.genq.api.problem.ProblemException;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/** The list endpoint's query as HTTP carries it: the opaque page cursor and the status filter. */
final class JobListQuery {
    private JobListQuery() {
    }

    public static String cursorAfter(Job last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s" + last.seq).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the seq a page starts below; {@link Long#MAX_VALUE} for the first page */
    public static long parseCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith("s")) {
                return Long.parseLong(raw.substring(1));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the problem below
        }
        throw ProblemException.badRequest("invalid_cursor", "'cursor' is not a cursor this API returned");
    }

    public static Set<JobStatus> parseStatuses(String csv) {
        Set<JobStatus> out = EnumSet.noneOf(JobStatus.class);
        if (csv == null || csv.isBlank()) {
            return out;
        }
        for (String s : csv.split(",")) {
            JobStatus status = JobStatus.fromWire(s.strip());
            if (status == null) {
                throw ProblemException.badRequest("unknown_status", "'status' has an unknown value '" + s.strip() + "'");
            }
            out.add(status);
        }
        return out;
    }
}
