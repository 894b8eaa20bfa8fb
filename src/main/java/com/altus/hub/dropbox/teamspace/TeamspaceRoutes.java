package com.altus.hub.dropbox.teamspace;

import com.altus.hub.platform.run.FlowParam;
import com.altus.hub.platform.run.FlowRouteBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The teamspace-migrate flow (CONTRACT sections 4, 4a and 9): copies every file_assets row not
 * migrated yet from the App Folder to the same relative path in the Team Space (second
 * credential, Dropbox-API-Path-Root), one unit per file, verified by content_hash, recorded in
 * teamspace_migrations and file_assets; resumable and safe to re-run. Manual: no schedule.
 */
@Component
public class TeamspaceRoutes extends FlowRouteBuilder {
    private final int parallelism;

    public TeamspaceRoutes(@Value("${hub.teamspace.parallelism:4}") int parallelism) {
        if (parallelism < 1 || parallelism > 32) {
            throw new IllegalArgumentException("hub.teamspace.parallelism must be between 1 and 32, got " + parallelism);
        }
        this.parallelism = parallelism;
    }

    @Override
    public void configure() {
        var each = flow(TeamspaceSteps.FLOW,
                FlowParam.integer("limit", "at most this many files this run (default hub.teamspace.limit, 1000)"))
                .bean("teamspaceSteps", "connect").id("teamspace-migrate-connect")
                .bean("teamspaceSteps", "select").id("teamspace-migrate-select")
                .split(body());
        each.id("teamspace-migrate-files");
        if (parallelism > 1) {
            each.parallelProcessing().executorService(getContext().getExecutorServiceManager()
                    .newFixedThreadPool(this, "teamspace-migrate", parallelism));
        }
        each.to("direct:" + TeamspaceSteps.FILE_ROUTE).id("teamspace-migrate-each")
                .end()
                .bean("teamspaceSteps", "summary").id("teamspace-migrate-summary");

        // one file: target checked, copy reference or download/upload, content_hash verified, recorded
        unit(TeamspaceSteps.FILE_ROUTE)
                .bean("teamspaceSteps", "file").id("teamspace-migrate-file-copy");
    }
}
