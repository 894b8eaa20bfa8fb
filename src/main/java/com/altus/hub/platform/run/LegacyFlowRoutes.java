package com.altus.hub.platform.run;

import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Runs the remaining {@link Flow} beans as flow routes with a single step, so that they share the
 * run ledger and the triggers of the route-built flows while they are rebuilt as routes.
 */
@Component
public class LegacyFlowRoutes extends FlowRouteBuilder {
    private final List<Flow> flows;

    public LegacyFlowRoutes(List<Flow> flows) {
        this.flows = List.copyOf(flows);
    }

    @Override
    public void configure() {
        for (Flow f : flows) {
            flow(f.name(), f.params().toArray(FlowParam[]::new))
                    .process(ex -> f.run(RunContext.of(ex))).id(f.name() + "-run");
        }
    }
}
