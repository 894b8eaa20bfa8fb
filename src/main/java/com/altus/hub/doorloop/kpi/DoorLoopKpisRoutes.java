package com.altus.hub.doorloop.kpi;

import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-kpis} flow: the metrics of CONTRACT section 8 as of D (run parameter
 * {@code as_of}, else {@code hub.kpi.as-of}, else UTC today) replace that date's rows of
 * {@code kpi_summary}; then the materialized views are refreshed (CONTRACT section 4).
 */
@Component
public class DoorLoopKpisRoutes extends FlowRouteBuilder {
    public static final String NAME = "doorloop-kpis";

    private final KpiSteps steps;

    public DoorLoopKpisRoutes(KpiSteps steps) {
        this.steps = steps;
    }

    @Override
    public void configure() {
        flow(NAME, FlowParam.date("as_of", "the KPI date (default: hub.kpi.as-of, else today UTC)"))
                .process(steps::compute).id("doorloop-kpis-compute")
                .process(steps::refreshViews).id("doorloop-kpis-refresh-views");
    }
}
