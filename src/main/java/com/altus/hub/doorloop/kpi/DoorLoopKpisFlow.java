package com.altus.hub.doorloop.kpi;

import java.time.LocalDate;

import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-kpis} flow: the metrics of CONTRACT section 8 as of D (run parameter
 * {@code as_of}, else {@code hub.kpi.as-of}, else UTC today) into {@code kpi_summary}, replacing
 * that date only; then it refreshes the materialized views (CONTRACT section 4).
 */
@Component
public class DoorLoopKpisFlow implements Flow {
    public static final String NAME = "doorloop-kpis";
    private final KpiRepository kpis;
    private final NormalizeRepository views;
    private final String configuredAsOf;

    public DoorLoopKpisFlow(KpiRepository kpis, NormalizeRepository views, @Value("${hub.kpi.as-of:}") String configuredAsOf) {
        this.kpis = kpis;
        this.views = views;
        this.configuredAsOf = configuredAsOf;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public java.util.List<com.altus.hub.platform.run.FlowParam> params() {
        return java.util.List.of(com.altus.hub.platform.run.FlowParam.date("as_of", "the KPI date (default: hub.kpi.as-of, else today UTC)"));
    }

    @Override
    public void run(RunContext ctx) {
        LocalDate d = KpiMetrics.asOf(ctx.param("as_of", null), configuredAsOf, KpiMetrics.todayUtc());
        long t0 = System.nanoTime();
        KpiRepository.Written w = kpis.replace(d, ctx.runId());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        ctx.stats().set("as_of", d.toString());
        ctx.stats().add("rows_written", w.rows());
        ctx.stats().add("properties", w.properties());
        ctx.stats().add("owners", w.owners());
        ctx.stats().add("compute_ms", ms);
        views.refreshMaterializedViews();
        ctx.progress("kpis as of {}: {} rows ({} properties, {} owners) in {} ms", d, w.rows(), w.properties(), w.owners(), ms);
    }
}
