package dev.genq.gateway.usage;

import dev.genq.api.problem.Problem;
import dev.genq.api.problem.ProblemException;
import dev.genq.gateway.tenant.CurrentTenant;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import dev.genq.api.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "usage")
@RolesAllowed(Roles.CLIENT)
@SecurityRequirement(name = "apiKey")
public class UsageResource {
    static final int MAX_DAYS = 366;

    private final EntityManager em;
    private final CurrentTenant tenant;

    public UsageResource(EntityManager em, CurrentTenant tenant) {
        this.em = em;
        this.tenant = tenant;
    }

    @GET
    @Transactional
    @Operation(summary = "Usage and cost", description = "Samples, compute seconds and USD by UTC day and model, "
            + "from the per-sample cost records; from/to are inclusive dates (default: the last 30 days).")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = UsageReport.class)))
    @APIResponse(responseCode = "400", description = "invalid_date or invalid_date_range",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public UsageReport usage(@QueryParam("from") String fromParam, @QueryParam("to") String toParam) {
        LocalDate to = toParam == null ? LocalDate.now(ZoneOffset.UTC) : date("to", toParam);
        LocalDate from = fromParam == null ? to.minusDays(29) : date("from", fromParam);
        if (from.isAfter(to) || ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ProblemException.badRequest("invalid_date_range",
                    "'from' must not be after 'to', and the range at most " + MAX_DAYS + " days");
        }
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select (created_at at time zone 'UTC')::date as day, model_version,
                       count(distinct (job_id, sample_idx)), sum(compute_seconds), sum(cost_usd)
                from sample_costs
                where tenant_id = ?1 and created_at >= ?2 and created_at < ?3 and billable
                group by 1, 2 order by 1, 2""")
                .setParameter(1, tenant.id()).setParameter(2, start).setParameter(3, end).getResultList();
        List<UsageReport.Row> days = new ArrayList<>(rows.size());
        double seconds = 0;
        BigDecimal usd = BigDecimal.ZERO;
        for (Object[] r : rows) {
            LocalDate day = r[0] instanceof Date d ? d.toLocalDate() : (LocalDate) r[0];
            UsageReport.Row row = new UsageReport.Row(day, (String) r[1], ((Number) r[2]).longValue(),
                    ((Number) r[3]).doubleValue(), ((BigDecimal) r[4]).stripTrailingZeros());
            days.add(row);
            seconds += row.computeSeconds();
            usd = usd.add(row.usd());
        }
        Number samples = (Number) em.createNativeQuery("""
                select count(distinct (job_id, sample_idx)) from sample_costs
                where tenant_id = ?1 and created_at >= ?2 and created_at < ?3 and billable""")
                .setParameter(1, tenant.id()).setParameter(2, start).setParameter(3, end).getSingleResult();
        return new UsageReport(from, to, days, new UsageReport.Totals(samples.longValue(), seconds, usd.stripTrailingZeros()));
    }

    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("invalid_date", "'" + name + "' must be a date like 2026-11-22");
        }
    }
}
