package com.altus.hub.doorloop.kpi;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The KPI vocabulary of CONTRACT section 8 (metric names, scopes) and the choice of the KPI
 * date: the run parameter {@code as_of}, else {@code hub.kpi.as-of}, else today in UTC.
 */
public final class KpiMetrics {
    public static final List<String> METRICS = List.of("total_properties", "total_units", "occupied_units", "vacant_units",
            "occupancy_rate", "active_leases", "leases_expiring_30d", "rent_roll", "delinquent_balance", "delinquent_leases",
            "open_work_orders", "payments_collected_mtd", "vacancy_loss");
    public static final List<String> SCOPES = List.of("portfolio", "property", "owner");
    /** A lease ending within this many days of D (inclusive) is expiring. */
    public static final int EXPIRING_DAYS = 30;

    private KpiMetrics() {
    }

    /** The KPI date D; a blank value falls through to the next source. */
    public static LocalDate asOf(String runParam, String configured, LocalDate todayUtc) {
        for (String[] candidate : new String[][] {{"as_of", runParam}, {"hub.kpi.as-of", configured}}) {
            String v = candidate[1];
            if (v != null && !v.isBlank()) {
                try {
                    return LocalDate.parse(v.trim());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(candidate[0] + " must be a date YYYY-MM-DD, got '" + v.trim() + "'", e);
                }
            }
        }
        return todayUtc;
    }

    public static LocalDate todayUtc() {
        return LocalDate.now(ZoneOffset.UTC);
    }
}
