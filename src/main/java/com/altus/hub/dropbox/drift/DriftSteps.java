package com.altus.hub.dropbox.drift;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.altus.hub.dropbox.DropboxApiException;
import com.altus.hub.dropbox.DropboxTree;
import com.altus.hub.dropbox.DropboxTree.BatchEntry;
import com.altus.hub.dropbox.DropboxTree.BatchStatus;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.dropbox.FolderMap.Level;
import com.altus.hub.dropbox.drift.DriftPlanner.Planned;
import com.altus.hub.dropbox.drift.DriftRepository.AuditRow;
import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The steps of the drift-detector route ({@link DriftRoutes}), one method each: read the expected
 * tree (SQL), list what exists (recursive list_folder and its cursor), plan, move one renamed
 * folder (unit), create one batch of folders (unit), write drift_audit.
 */
@Component("driftSteps")
public class DriftSteps {
    static final String FLOW = "drift-detector";
    static final String MOVE_ROUTE = "drift-detector-move";
    static final String BATCH_ROUTE = "drift-detector-batch";

    private final DriftRepository repository;
    private final DropboxTree dropbox;
    private final FolderMap folders;
    private final DeadLetterService deadLetters;
    private final int batchSize;
    private final int listLimit;
    private final String configuredAsOf;
    private final Duration pollInterval;
    private final Duration pollMaxInterval;
    private final Duration batchTimeout;
    private final int entryAttempts;
    private final int planSample;

    public DriftSteps(DriftRepository repository, DropboxTree dropbox, FolderMap folders, DeadLetterService deadLetters,
                      @Value("${hub.drift.batch-size:10000}") int batchSize,
                      @Value("${hub.drift.list-limit:2000}") int listLimit,
                      @Value("${hub.drift.as-of:}") String configuredAsOf,
                      @Value("${hub.drift.poll-interval:PT0.5S}") Duration pollInterval,
                      @Value("${hub.drift.poll-max-interval:PT5S}") Duration pollMaxInterval,
                      @Value("${hub.drift.batch-timeout:PT15M}") Duration batchTimeout,
                      @Value("${hub.dropbox.max-attempts:6}") int entryAttempts,
                      @Value("${hub.drift.plan-sample:50}") int planSample) {
        this.repository = repository;
        this.dropbox = dropbox;
        this.folders = folders;
        this.deadLetters = deadLetters;
        this.batchSize = batchSize;
        this.listLimit = listLimit;
        this.configuredAsOf = configuredAsOf;
        this.pollInterval = pollInterval;
        this.pollMaxInterval = pollMaxInterval;
        this.batchTimeout = batchTimeout;
        this.entryAttempts = Math.max(1, entryAttempts);
        this.planSample = planSample;
    }

    private static DriftRun run(Exchange ex) {
        DriftRun run = ex.getProperty(DriftRun.PROPERTY, DriftRun.class);
        if (run == null) {
            throw new IllegalStateException("drift-detector step outside a drift-detector run");
        }
        return run;
    }

    /** Step 1: the expected entities from the normalized tables. */
    public void expected(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        Object dry = ctx.params().get("dry_run");
        if (dry != null && ((Number) dry).longValue() != 0 && ((Number) dry).longValue() != 1) {
            throw new IllegalArgumentException("run parameter 'dry_run' must be 0 or 1, got " + dry);
        }
        String asOfParam = ctx.param("as_of", null);
        LocalDate asOf = asOfParam != null ? LocalDate.parse(asOfParam)
                : configuredAsOf.isBlank() ? LocalDate.now(ZoneOffset.UTC) : LocalDate.parse(configuredAsOf.trim());
        DriftRun run = new DriftRun(dry != null && ((Number) dry).longValue() == 1, asOf);
        run.expected = repository.expected(asOf);
        ex.setProperty(DriftRun.PROPERTY, run);
        RunStats stats = ctx.stats();
        stats.set("dry_run", run.dryRun);
        stats.set("as_of", asOf.toString());
        stats.set("store", dropbox.kind());
        stats.declare("listing_calls", "batch_calls", "batch_check_calls", "move_calls", "folders_listed", "files_listed",
                "folders_created", "folders_moved", "folders_failed");
        Map<Level, Long> counts = new EnumMap<>(Level.class);
        for (DriftEntity e : run.expected) {
            counts.merge(e.level(), 1L, Long::sum);
        }
        for (Level l : Level.values()) {
            stats.add("entities", DriftEntity.entity(l), counts.getOrDefault(l, 0L));
        }
        stats.add("entities_total", run.expected.size());
        ctx.progress("{} expected entities as of {} ({})", run.expected.size(), asOf, counts);
    }

    /** Step 2: what exists below {root}/00_Owners, read with one recursive listing and its cursor. */
    public void list(Exchange ex) throws Exception {
        RunContext ctx = RunContext.of(ex);
        DriftRun run = run(ex);
        FolderTree tree = new FolderTree(folders.ownersFolder());
        RunStats stats = ctx.stats();
        Optional<DropboxTree.ListPage> first = dropbox.listFolder(folders.ownersFolder(), true, listLimit);
        stats.increment("listing_calls");
        DropboxTree.ListPage page = first.orElse(null);
        while (page != null) {
            for (DropboxTree.Entry e : page.entries()) {
                if (e.folder()) {
                    tree.add(e.pathLower() != null ? e.pathLower() : e.pathDisplay());
                } else {
                    stats.increment("files_listed");
                }
            }
            if (!page.hasMore()) {
                break;
            }
            ctx.checkNotCancelled();
            ctx.progressEvery(Duration.ofSeconds(10), "listed {} folders so far", tree.size());
            page = dropbox.listFolderContinue(page.cursor());
            stats.increment("listing_calls");
        }
        stats.add("folders_listed", tree.size());
        run.tree = tree;
        ctx.progress("listed {} folders below {} in {} call(s)", tree.size(), folders.ownersFolder(), stats.get("listing_calls"));
    }

    /** Step 3: the plan; answers the moves to make (none in a dry run, which reports the plan instead). */
    public List<FolderMove> plan(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        DriftRun run = run(ex);
        DriftPlanner.Plan plan = DriftPlanner.plan(run.expected, folders, run.tree, batchSize);
        run.planned(plan);
        run.expected = null;
        run.tree = null;
        RunStats stats = ctx.stats();
        String prefix = run.dryRun ? "would_" : "planned_";
        stats.add(prefix + "create", plan.count(DriftPlanner.Action.CREATE));
        stats.add(prefix + "move", plan.count(DriftPlanner.Action.MOVE));
        stats.add(prefix + "fill", plan.entities().stream()
                .filter(p -> p.action() == DriftPlanner.Action.EXISTS && p.missing() > 0).count());
        stats.add(prefix + "create_folders", plan.missingFolders());
        stats.add(prefix + "batches", plan.batches().size());
        stats.add("entities_skipped", plan.count(DriftPlanner.Action.SKIP));
        stats.add("entities_invalid", plan.count(DriftPlanner.Action.ERROR));
        ctx.progress("plan: {} entities to create, {} to move, {} folders missing in {} batch(es)",
                plan.count(DriftPlanner.Action.CREATE), plan.count(DriftPlanner.Action.MOVE), plan.missingFolders(),
                plan.batches().size());
        if (run.dryRun) {
            stats.set("plan", sample(plan));
            return List.of();
        }
        return plan.moves();
    }

    /** What a dry run would do, the first {@code hub.drift.plan-sample} actions. */
    private List<String> sample(DriftPlanner.Plan plan) {
        List<String> out = new ArrayList<>();
        for (Planned p : plan.entities()) {
            if (out.size() >= planSample) {
                break;
            }
            switch (p.action()) {
                case MOVE -> out.add("move " + p.previousPath() + " -> " + p.path());
                case CREATE -> out.add("create " + p.path() + " (" + p.missing() + " folders)");
                case EXISTS -> {
                    if (p.missing() > 0) {
                        out.add("fill " + p.path() + " (" + p.missing() + " missing sub-folders)");
                    }
                }
                case ERROR, SKIP -> out.add(p.action().name().toLowerCase() + " " + p.entity().entity() + " "
                        + p.entity().key() + ": " + p.detail());
                default -> { }
            }
        }
        return out;
    }

    /** Unit drift-detector-move: one renamed entity's folder moved to its expected path, with its contents. */
    public void move(Exchange ex) throws IOException {
        FolderMove m = Units.body(ex, FolderMove.class);
        Units.entity(ex, m.entity(), m.key());
        RunContext ctx = RunContext.of(ex);
        DriftRun run = ex.getProperty(DriftRun.PROPERTY, DriftRun.class);
        Planned planned = run == null ? null : run.entity(m.entity(), m.key());
        try {
            dropbox.move(m.from(), m.to());
        } catch (DropboxApiException e) {
            if (planned != null) {
                planned.failed("move_v2 failed: " + e.errorSummary());
            }
            throw e;
        }
        ctx.stats().increment("move_calls");
        ctx.stats().increment("folders_moved");
        if (planned != null) {
            planned.moved();
        } else {
            repository.audit(ctx.runId(), List.of(new AuditRow(m.entity(), m.key(), m.to(), "moved",
                    "renamed: moved from " + m.from() + " (dead letter replayed)", m.from())));
        }
    }

    /** The folder batches to create (none in a dry run). */
    public List<FolderBatch> batches(Exchange ex) {
        DriftRun run = run(ex);
        return run.dryRun ? List.of() : run.plan.batches();
    }

    /**
     * Unit drift-detector-batch: one create_folder_batch call for whole entities (polling its check
     * when Dropbox runs it asynchronously). Folders that already exist count as created; entries
     * refused for too many writes are sent again after a pause; an entity with a folder refused for
     * good (a file in the way, a bad name) is dead-lettered on its own, so replaying it redoes that
     * entity only.
     */
    public void batch(Exchange ex) throws Exception {
        FolderBatch b = Units.body(ex, FolderBatch.class);
        Units.entity(ex, "folder_batch", "batch-" + b.number() + "-" + (b.items().isEmpty() ? "empty"
                : b.items().get(0).entity() + "-" + b.items().get(0).key()));
        RunContext ctx = RunContext.of(ex);
        DriftRun run = ex.getProperty(DriftRun.PROPERTY, DriftRun.class);
        List<FolderBatch.Item> items = new ArrayList<>();
        for (FolderBatch.Item item : b.items()) {
            String blocked = run == null ? null : run.underFailedMove(item.path());
            if (blocked != null) {
                // creating it would make a second folder beside the one whose move failed
                Planned p = run.entity(item.entity(), item.key());
                if (p != null) {
                    p.failed("not created: the move to " + blocked + " did not happen");
                }
                continue;
            }
            items.add(item);
        }
        if (items.isEmpty()) {
            return;
        }
        List<String> paths = new ArrayList<>();
        for (FolderBatch.Item item : items) {
            paths.addAll(item.folders());
        }
        Map<String, BatchEntry> results = create(paths, ctx);
        List<AuditRow> replayed = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (FolderBatch.Item item : items) {
            String failure = null;
            for (String f : item.folders()) {
                BatchEntry r = results.get(f);
                if (r == null || !r.okOrExists()) {
                    failure = "create_folder_batch refused " + f + ": " + (r == null ? "no answer" : r.failure());
                    ctx.stats().increment("folders_failed");
                }
            }
            Planned p = run == null ? null : run.entity(item.entity(), item.key());
            if (failure == null) {
                ctx.stats().add("folders_created", item.missing());
                if (p != null) {
                    p.created();
                } else {
                    replayed.add(new AuditRow(item.entity(), item.key(), item.path(), "created",
                            item.missing() + " folder(s) created (dead letter replayed)", null));
                }
            } else if (run != null) {
                if (p != null) {
                    p.failed(failure);
                }
                ctx.deadLetter(BATCH_ROUTE, item.entity(), item.key(), new FolderBatch(b.number(), List.of(item)), failure, null);
            } else {
                refused.add(failure);
            }
        }
        if (!replayed.isEmpty()) {
            repository.audit(ctx.runId(), replayed);
        }
        if (!refused.isEmpty()) {
            throw new DropboxApiException(409, "path/", String.join("; ", refused));
        }
    }

    /** Creates the folders: one batch call (and its checks), then the entries refused for too many writes again. */
    private Map<String, BatchEntry> create(List<String> paths, RunContext ctx) throws Exception {
        Map<String, BatchEntry> results = new HashMap<>();
        List<String> pending = paths;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            BatchStatus status = dropbox.createFolderBatch(pending);
            ctx.stats().increment("batch_calls");
            long deadline = System.nanoTime() + batchTimeout.toNanos();
            Duration wait = pollInterval;
            while (!status.complete()) {
                if (System.nanoTime() > deadline) {
                    throw new TransientFailure("create_folder_batch job " + status.asyncJobId() + " still running after "
                            + batchTimeout, 0, null);
                }
                ctx.checkNotCancelled();
                Thread.sleep(wait.toMillis());
                wait = wait.multipliedBy(2).compareTo(pollMaxInterval) > 0 ? pollMaxInterval : wait.multipliedBy(2);
                status = dropbox.createFolderBatchCheck(status.asyncJobId(), pending);
                ctx.stats().increment("batch_check_calls");
            }
            List<String> again = new ArrayList<>();
            for (BatchEntry e : status.entries()) {
                if (!e.okOrExists() && e.failure() != null && e.failure().contains("too_many_write_operations")
                        && attempt < entryAttempts) {
                    again.add(e.path());
                } else {
                    results.put(e.path(), e);
                }
            }
            if (!again.isEmpty()) {
                ctx.stats().add("folders_retried", again.size());
                ctx.checkNotCancelled();
                Thread.sleep(Math.min(30_000L, 1000L << Math.min(attempt - 1, 5)));
            }
            pending = again;
        }
        return results;
    }

    /** Last step: one drift_audit row per entity, the run's counts, and letters of healed entities closed. */
    public void audit(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        DriftRun run = run(ex);
        RunStats stats = ctx.stats();
        if (run.dryRun) {
            ctx.progress("dry run: nothing changed");
            return;
        }
        List<AuditRow> rows = new ArrayList<>(run.plan.entities().size());
        Map<String, Long> byAction = new LinkedHashMap<>();
        for (String a : List.of("created", "moved", "exists", "error", "skipped")) {
            byAction.put(a, 0L);
        }
        Map<String, List<String>> healed = new HashMap<>();
        for (Planned p : run.plan.entities()) {
            String action = p.auditAction();
            rows.add(new AuditRow(p.entity().entity(), p.entity().key(), p.path(), action, p.auditDetail(), p.previousPath()));
            byAction.merge(action, 1L, Long::sum);
            if (!action.equals("error")) {
                healed.computeIfAbsent(p.entity().entity(), k -> new ArrayList<>()).add(p.entity().key());
            }
        }
        repository.audit(ctx.runId(), rows);
        byAction.forEach((a, n) -> stats.add("entities_" + a, n));
        for (Map.Entry<String, List<String>> e : healed.entrySet()) {
            deadLetters.resolve(FLOW, e.getKey(), e.getValue());
        }
        long errors = byAction.get("error");
        if (errors == 0) {
            // the tree is whole again: failed batches of earlier runs have nothing left to do
            deadLetters.resolve(FLOW, "folder_batch", repository.openLetters(FLOW, "folder_batch"));
        } else {
            long invalid = run.plan.count(DriftPlanner.Action.ERROR);
            if (invalid > 0) {
                ctx.partial(invalid + " entities have ids that cannot be a folder name (see drift_audit)");
            }
        }
        ctx.progress("audit: {} rows ({})", rows.size(), byAction);
    }
}
