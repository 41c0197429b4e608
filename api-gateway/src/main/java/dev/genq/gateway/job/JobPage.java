package dev.genq.gateway.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** One page of a tenant's jobs, newest first; pass {@code next_cursor} back to get the next page. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobPage(List<JobView> data, String nextCursor) {
}
