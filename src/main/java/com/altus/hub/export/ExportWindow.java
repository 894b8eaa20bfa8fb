package com.altus.hub.export;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** The days a company's schedule file covers: its local today and the days after it. */
public record ExportWindow(ZoneId zone, LocalDate start, LocalDate end) {

    /** {@code days} days from the company's local date at {@code now} ({@code days} >= 1). */
    public static ExportWindow of(ZoneId zone, Instant now, int days) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        return new ExportWindow(zone, today, today.plusDays(days - 1L));
    }
}
