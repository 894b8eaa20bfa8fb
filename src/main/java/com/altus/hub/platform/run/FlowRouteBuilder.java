package com.altus.hub.platform.run;

import java.util.List;

import com.altus.hub.platform.dlq.DeadLetterChannel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * Base of the route builders that are the hub's flows (CONTRACT section 4a). A flow package's
 * builder reads top to bottom as the flow:
 *
 * <pre>{@code
 * flow("azure-sync")                              // route azure-sync on direct:azure-sync: one exchange = one run
 *     .bean(listing, "list")                      // list
 *     .bean(listing, "changedOnly")               // plan or filter
 *     .split(body())
 *         .to("direct:azure-sync-blob")           // one unit of work per sub-route exchange
 *     .end()
 *     .bean(auth, "reconcile");                   // finish
 *
 * unit("azure-sync-blob")                         // sub-route: failures go to the dead-letter channel
 *     .bean(blobs, "read")
 *     .bean(schedules, "sync");
 * }</pre>
 *
 * The run ledger comes with {@link #flow}: its first step takes the single-flight lease and opens
 * the {@code sync_jobs} row, and its route policy finishes the row when the exchange is done (a
 * failed exchange is a failed run). Processors find the run with {@link RunContext#of}.
 */
public abstract class FlowRouteBuilder extends RouteBuilder {

    /** Starts the route of flow {@code name} ({@code direct:<name>}), declaring the run parameters it accepts. */
    protected RouteDefinition flow(String name, FlowParam... params) {
        FlowRunner runner = getContext().getRegistry().findSingleByType(FlowRunner.class);
        if (runner == null) {
            throw new IllegalStateException("no FlowRunner in the registry: flow routes need the hub platform");
        }
        runner.register(new FlowDefinition(name, List.of(params)));
        return from("direct:" + name).routeId(name)
                .routeConfigurationId(FlowRouteConfiguration.ID)
                .routePolicy(runner.ledgerPolicy())
                .process(runner.begin(name)).id(name + "-begin");
    }

    /**
     * Starts a sub-route {@code direct:<routeId>}: one unit of a flow's work (a blob, a resource, an
     * entity). It uses the shared dead-letter channel: transient failures are redelivered, the rest
     * store the unit's original message in {@code dead_letters} with this route id, and replaying the
     * letter sends that message here again. A {@link FlowAbortedException} or an interrupt is not
     * dead-lettered: it fails the run.
     */
    protected RouteDefinition unit(String routeId) {
        return from("direct:" + routeId).routeId(routeId).routeConfigurationId(DeadLetterChannel.ID)
                .process(FlowRouteBuilder::checkRunGoesOn).id(routeId + "-check");
    }

    /**
     * A unit's first step: once the run is aborted or cancelled, the units still queued in the
     * flow's split fail at once (never a {@code split().stopOnException()}: a unit the dead-letter
     * channel handled would stop it too). Outside a run (a replay), there is nothing to check.
     */
    static void checkRunGoesOn(org.apache.camel.Exchange exchange) throws InterruptedException {
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        if (run != null) {
            run.checkGoesOn();
        }
    }
}
