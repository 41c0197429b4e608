package dev.genq.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/** {@code GET /v1/usage}: samples, compute seconds and USD per UTC day and model, and their totals. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Usage(LocalDate from, LocalDate to, List<Day> days, Totals total) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Day(LocalDate day, String model, long samples, double computeSeconds, BigDecimal usd) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Totals(long samples, double computeSeconds, BigDecimal usd) {
    }
}
