package com.altus.hub.dropbox.drift;

import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The drift-detector flow (CONTRACT sections 4, 4a and 9): heals the Dropbox folder tree from the
 * normalized tables. Expected tree (SQL), one recursive listing of what exists, a plan; then one
 * unit per renamed folder (move_v2, its contents kept) and one unit per create_folder_batch call
 * (up to 10,000 folders of whole entities); one drift_audit row per entity. With
 * {@code dry_run = 1} it reports the plan in the run's stats and changes nothing. Nightly at 05:00
 * UTC (routes/dropbox.yaml).
 */
@Component
public class DriftRoutes extends FlowRouteBuilder {

    @Override
    public void configure() {
        flow(DriftSteps.FLOW,
                FlowParam.integer("dry_run", "1: report what would be created and moved (stats 'would_*', 'plan'), change nothing; 0 (default): heal"),
                FlowParam.date("as_of", "the date that decides which leases are active or future (default hub.drift.as-of, else today UTC)"))
                .bean("driftSteps", "expected").id("drift-detector-expected")
                .bean("driftSteps", "list").id("drift-detector-list")
                .bean("driftSteps", "plan").id("drift-detector-plan")
                .split(body()).id("drift-detector-moves")
                    .to("direct:" + DriftSteps.MOVE_ROUTE).id("drift-detector-each-move")
                .end()
                .bean("driftSteps", "batches").id("drift-detector-batches")
                .split(body()).id("drift-detector-folder-batches")
                    .to("direct:" + DriftSteps.BATCH_ROUTE).id("drift-detector-each-batch")
                .end()
                .bean("driftSteps", "audit").id("drift-detector-audit");

        // a renamed entity: its old folder moved to the new name, contents and all
        unit(DriftSteps.MOVE_ROUTE)
                .bean("driftSteps", "move").id("drift-detector-move-folder");

        // whole entities' missing folders: one create_folder_batch call (and its checks)
        unit(DriftSteps.BATCH_ROUTE)
                .bean("driftSteps", "batch").id("drift-detector-batch-create");
    }
}
