package dev.genq.gateway.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/** A page of a batch's items in item order; {@code next_cursor} (absent on the last page) fetches the next. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BatchItemPage(List<Item> items, String nextCursor) {

    /** One item: its index in the submitted batch, its job and that job's status ("deleted" once deleted). */
    public record Item(int index, UUID jobId, String status) {
    }
}
