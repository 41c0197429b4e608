package dev.genq.gateway.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/** Samples, compute and cost per UTC day and model (name@version), and their totals, for one tenant. */
public record UsageReport(LocalDate from, LocalDate to, List<Row> days, Totals total) {

    /** A full sample uses two models, so it counts once under each. */
    public record Row(LocalDate day, String model, long samples, double computeSeconds, BigDecimal usd) {
    }

    public record Totals(long samples, double computeSeconds, BigDecimal usd) {
    }
}
