package com.altus.hub.doorloop.kpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

/** The KPI date: run parameter, then configuration, then UTC today. */
class KpiMetricsTest {
    static final LocalDate TODAY = LocalDate.of(2026, 1, 2);

    @Test
    void theRunParameterWinsThenTheConfigurationThenToday() {
        assertThat(KpiMetrics.asOf("2025-12-15", "2024-01-01", TODAY)).isEqualTo(LocalDate.of(2025, 12, 15));
        assertThat(KpiMetrics.asOf(null, "2024-01-01", TODAY)).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(KpiMetrics.asOf(" ", "", TODAY)).isEqualTo(TODAY);
    }

    @Test
    void aBadDateNamesItsSource() {
        assertThatThrownBy(() -> KpiMetrics.asOf("15/12/2025", null, TODAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as_of").hasMessageContaining("15/12/2025");
        assertThatThrownBy(() -> KpiMetrics.asOf(null, "yesterday", TODAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hub.kpi.as-of");
    }

    @Test
    void theMetricsAreThoseOfTheContract() {
        assertThat(KpiMetrics.METRICS).hasSize(13).startsWith("total_properties").endsWith("vacancy_loss");
    }
}
