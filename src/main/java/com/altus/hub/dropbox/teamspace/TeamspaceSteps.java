package com.altus.hub.dropbox.teamspace;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import com.altus.hub.dropbox.DropboxApiException;
import com.altus.hub.dropbox.DropboxTree;
import com.altus.hub.dropbox.teamspace.TeamspaceMigrator.Result;
import com.altus.hub.dropbox.teamspace.TeamspaceRepository.Asset;
import com.altus.hub.platform.config.HubSettings;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.FlowAbortedException;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The steps of the teamspace-migrate route ({@link TeamspaceRoutes}): connect to the Team Space
 * (or fail with the configuration error), select the files not migrated yet (up to the run's
 * limit), migrate one file (unit), sum up.
 */
@Component("teamspaceSteps")
public class TeamspaceSteps {
    static final String FLOW = "teamspace-migrate";
    static final String FILE_ROUTE = "teamspace-migrate-file";

    /** The state a run's units share (exchange property {@value #PROPERTY}). */
    record MigrationRun(TeamDropbox.Target target, AtomicBoolean copyReferences, Map<String, Long> sourceCallsBefore,
                        Map<String, Long> targetCallsBefore) {
        static final String PROPERTY = "HubTeamspaceRun";
    }

    private final TeamDropbox team;
    private final DropboxTree source;
    private final TeamspaceRepository repository;
    private final TeamspaceMigrator migrator;
    private final int defaultLimit;

    public TeamspaceSteps(TeamDropbox team, DropboxTree source, TeamspaceRepository repository, HubSettings settings,
                          @Value("${hub.teamspace.limit:1000}") int defaultLimit,
                          @Value("${hub.teamspace.target-root:}") String targetRoot) {
        if (!targetRoot.isEmpty() && (!targetRoot.startsWith("/") || targetRoot.endsWith("/") || targetRoot.contains(".."))) {
            throw new IllegalArgumentException("hub.teamspace.target-root must be empty or an absolute Dropbox path "
                    + "without a trailing '/', got '" + targetRoot + "'");
        }
        this.team = team;
        this.source = source;
        this.repository = repository;
        this.migrator = new TeamspaceMigrator(repository, settings.dataDir.resolve("tmp").resolve("teamspace"), targetRoot);
        this.defaultLimit = defaultLimit;
    }

    /** Step 1: the Team Space client (a configuration error names the missing TEAM_DROPBOX_* variables). */
    public void connect(Exchange ex) throws IOException {
        RunContext ctx = RunContext.of(ex);
        TeamDropbox.Target target = team.target();
        ex.setProperty(MigrationRun.PROPERTY, new MigrationRun(target, new AtomicBoolean(true), source.calls(),
                target.tree().calls()));
        ctx.stats().set("team_root_namespace", target.namespaceId());
        ctx.stats().set("source", source.kind());
    }

    /** Step 2: up to {@code limit} file assets not migrated yet. */
    public List<FileJob> select(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        Object given = ctx.params().get("limit");
        long limit = given == null ? defaultLimit : ((Number) given).longValue();
        if (limit < 1 || limit > 1_000_000) {
            throw new IllegalArgumentException("run parameter 'limit' must be between 1 and 1000000, got " + limit);
        }
        List<FileJob> jobs = repository.pending((int) limit);
        RunStats stats = ctx.stats();
        stats.set("limit", limit);
        stats.add("files_selected", jobs.size());
        stats.declare("files_copied_by_reference", "files_downloaded_uploaded", "files_already_present", "files_failed",
                "bytes_downloaded", "bytes_copied_by_reference");
        ctx.progress("{} file(s) to migrate (limit {})", jobs.size(), limit);
        return jobs;
    }

    /** Unit teamspace-migrate-file: one file copied and verified (see {@link TeamspaceMigrator}). */
    public void file(Exchange ex) throws Exception {
        FileJob job = Units.body(ex, FileJob.class);
        Units.entity(ex, "file_asset", job.fileAssetId());
        RunContext ctx = RunContext.of(ex);
        MigrationRun run = ex.getProperty(MigrationRun.PROPERTY, MigrationRun.class);
        TeamDropbox.Target target = run != null ? run.target() : team.target();
        AtomicBoolean copyReferences = run != null ? run.copyReferences() : new AtomicBoolean(true);
        Asset asset = repository.asset(UUID.fromString(job.fileAssetId())).orElse(null);
        RunStats stats = ctx.stats();
        if (asset == null) {
            stats.increment("files_gone");
            return; // the row was deleted since: nothing to migrate
        }
        Result r;
        try {
            r = migrator.migrate(asset, source, target.tree(), copyReferences, ctx.runId());
        } catch (DropboxApiException e) {
            repository.failure(asset.id(), e.status() != 401 && e.status() != 422, e.getMessage());
            if (e.status() == 401 || e.status() == 422) {
                // a refused credential or root namespace refuses every file: the run ends here
                throw new FlowAbortedException(e.getMessage(), e);
            }
            stats.increment("files_failed");
            throw e;
        } catch (IOException | TransientFailure e) {
            repository.failure(asset.id(), false, e.getMessage());
            throw e;
        }
        switch (r.method()) {
            case COPY_REFERENCE -> {
                stats.increment("files_copied_by_reference");
                stats.add("bytes_copied_by_reference", r.size());
            }
            case DOWNLOAD_UPLOAD -> {
                stats.increment("files_downloaded_uploaded");
                stats.add("bytes_downloaded", r.bytesDownloaded());
            }
            case ALREADY_PRESENT -> stats.increment("files_already_present");
            case ALREADY_MIGRATED -> stats.increment("files_already_migrated");
        }
    }

    /** Last step: the requests each side got and what is left for the next run. */
    public void summary(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        MigrationRun run = ex.getProperty(MigrationRun.PROPERTY, MigrationRun.class);
        RunStats stats = ctx.stats();
        stats.set("source_calls", delta(run.sourceCallsBefore(), source.calls()));
        stats.set("team_calls", delta(run.targetCallsBefore(), run.target().tree().calls()));
        stats.set("copy_references", run.copyReferences().get() ? "used" : "refused by the accounts (download/upload)");
        long remaining = repository.remaining();
        stats.add("files_remaining", remaining);
        ctx.progress("{} file(s) left to migrate", remaining);
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
