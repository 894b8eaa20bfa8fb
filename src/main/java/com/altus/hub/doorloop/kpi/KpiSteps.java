package com.altus.hub.doorloop.kpi;

import java.time.LocalDate;

import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.platform.run.RunContext;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The steps of the {@code doorloop-kpis} route: compute and replace the KPIs of D, refresh the views. */
@Component
public class KpiSteps {
    private final KpiRepository kpis;
    private final NormalizeRepository views;
    private final String configuredAsOf;

    public KpiSteps(KpiRepository kpis, NormalizeRepository views, @Value("${hub.kpi.as-of:}") String configuredAsOf) {
        this.kpis = kpis;
        this.views = views;
        this.configuredAsOf = configuredAsOf;
    }

    /** Replaces {@code kpi_summary} for D in one transaction. */
    public void compute(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        LocalDate d = KpiMetrics.asOf(ctx.param("as_of", null), configuredAsOf, KpiMetrics.todayUtc());
        long t0 = System.nanoTime();
        KpiRepository.Written w = kpis.replace(d, ctx.runId());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ctx.stats().set("as_of", d.toString());
        ctx.stats().add("rows_written", w.rows());
        ctx.stats().add("properties", w.properties());
        ctx.stats().add("owners", w.owners());
        ctx.stats().add("compute_ms", ms);
        ctx.progress("kpis as of {}: {} rows ({} properties, {} owners) in {} ms", d, w.rows(), w.properties(), w.owners(), ms);
    }

    public void refreshViews(Exchange ex) {
        long t0 = System.nanoTime();
        views.refreshMaterializedViews();
        RunContext.of(ex).progress("materialized views refreshed in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
