package com.altus.hub.platform.run;

import java.util.List;

/**
 * A flow written as one Java method, run by {@link LegacyFlowRoutes} as a one-step route. Only
 * for flows not yet rebuilt as routes of their own ({@link FlowRouteBuilder}); it goes away with
 * the last of them.
 *
 * <p>Outcome: return normally for succeeded; record dead letters or call
 * {@link RunContext#partial(String)} for partial; throw for failed.
 */
public interface Flow {

    /** The flow's kebab-case name, as in CONTRACT section 4. */
    String name();

    void run(RunContext ctx) throws Exception;

    /** The run parameters it accepts. */
    default List<FlowParam> params() {
        return List.of();
    }
}
