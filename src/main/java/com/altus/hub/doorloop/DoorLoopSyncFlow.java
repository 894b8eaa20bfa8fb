package com.altus.hub.doorloop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-sync} flow (CONTRACT section 8): pulls every DoorLoop resource into its
 * {@code doorloop_raw_*} table, one resource after the other. A resource that cannot be pulled
 * (persistent 5xx, timeouts, a 4xx) is dead-lettered as entity type {@code resource} with the
 * resource as key, so that {@code dlq-replay} pulls it again; the others still sync and the run
 * is partial. After a 401 the remaining resources are dead-lettered without sending requests
 * that would be refused too. The run fails only when no resource could be pulled.
 *
 * <p>Parameter {@code resources}: a comma-separated subset (paths or entity names), e.g. {@code units,tasks}.
 */
@Component
public class DoorLoopSyncFlow implements Flow {
    public static final String NAME = "doorloop-sync";
    /** Entity type of the dead letter of a resource that could not be pulled. */
    public static final String RESOURCE = "resource";

    private final DoorLoopSources sources;
    private final DoorLoopResourcePull pull;
    private final DeadLetterService deadLetters;

    public DoorLoopSyncFlow(DoorLoopSources sources, DoorLoopResourcePull pull, DeadLetterService deadLetters) {
        this.sources = sources;
        this.pull = pull;
        this.deadLetters = deadLetters;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<com.altus.hub.platform.run.FlowParam> params() {
        return List.of(com.altus.hub.platform.run.FlowParam.text("resources",
                "comma-separated subset of the resources, e.g. units,tasks"));
    }

    @Override
    public void run(RunContext ctx) throws Exception {
        List<DoorLoopResource> selected = selection(ctx.param("resources", null));
        DoorLoopSource source = sources.source();
        RunStats stats = ctx.stats();
        stats.set("source", source.describe());
        stats.declare("requests", "retries", "rate_limit_wait_ms", "fetch_ms", "store_ms");
        for (DoorLoopResource r : selected) {
            stats.group(r.table().entity()).declare(DoorLoopResourcePull.ENTITY_STATS);
            if (r.carriesWorkOrders()) {
                stats.group(RawTable.WORK_ORDERS.entity()).declare(DoorLoopResourcePull.ENTITY_STATS);
            }
        }
        ctx.progress("pulling {} resources from {}", selected.size(), source.describe());
        PullListener listener = new RunListener(ctx);
        List<String> failed = new ArrayList<>();
        PermanentFailure rejected = null;
        for (DoorLoopResource resource : selected) {
            ctx.checkNotCancelled();
            if (rejected != null) {
                failed.add(resource.path());
                ctx.deadLetter(RESOURCE, resource.path(), letterPayload(resource, source),
                        "not pulled: " + rejected.getMessage(), rejected);
                continue;
            }
            try {
                DoorLoopResourcePull.Outcome outcome = pull.pull(source, sources.endpoint(resource), resource, listener);
                deadLetters.resolve(NAME, RESOURCE, List.of(resource.path()));
                resolveStaleRecordLetters(resource.table(), outcome.badKeys());
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (ctx.cancelled()) {
                    throw e;
                }
                if (e instanceof PermanentFailure pf && pf.status() == 401) {
                    rejected = pf;
                }
                failed.add(resource.path());
                ctx.progress("{} failed: {}", resource.path(), e.getMessage());
                ctx.deadLetter(RESOURCE, resource.path(), letterPayload(resource, source),
                        resource.path() + " could not be pulled: " + e.getMessage(), e);
            }
        }
        stats.set("failed_resources", failed);
        ctx.progress("done: {} requests, {} retries, {} of {} resources pulled", stats.get("requests"), stats.get("retries"),
                selected.size() - failed.size(), selected.size());
        if (!failed.isEmpty() && failed.size() == selected.size()) {
            throw new IllegalStateException("no DoorLoop resource could be pulled"
                    + (rejected != null ? ": " + rejected.getMessage() : " (see the resource dead letters)"));
        }
    }

    /** Closes the open record letters of an entity that the source no longer serves unstorable. */
    private void resolveStaleRecordLetters(RawTable entity, Set<String> stillBad) {
        List<String> stale = new ArrayList<>();
        for (String status : List.of("pending", "parked")) {
            for (StoredDeadLetter l : deadLetters.list(status, NAME, 10_000)) {
                if (l.entityType().equals(entity.entity()) && !stillBad.contains(l.entityKey())) {
                    stale.add(l.entityKey());
                }
            }
        }
        deadLetters.resolve(NAME, entity.entity(), stale);
    }

    static Map<String, Object> letterPayload(DoorLoopResource resource, DoorLoopSource source) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("resource", resource.path());
        p.put("source", source.describe());
        return p;
    }

    static List<DoorLoopResource> selection(String param) {
        if (param == null || param.isBlank()) {
            return List.of(DoorLoopResource.values());
        }
        List<DoorLoopResource> out = new ArrayList<>();
        for (String name : param.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            DoorLoopResource r = DoorLoopResource.byName(name).orElseThrow(() -> new IllegalArgumentException(
                    "unknown DoorLoop resource '" + name.trim() + "' (known: "
                            + String.join(", ", Arrays.stream(DoorLoopResource.values()).map(DoorLoopResource::path).toList()) + ")"));
            if (!out.contains(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Reports a pull into the run: stats, progress lines, dead letters, partial reasons. */
    private static final class RunListener implements PullListener {
        private final RunContext ctx;

        RunListener(RunContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public RunStats stats() {
            return ctx.stats();
        }

        @Override
        public void progress(String format, Object... args) {
            ctx.progress(format, args);
        }

        @Override
        public void badRecord(RawTable entity, String key, JsonNode payload, String reason) {
            ctx.deadLetter(entity.entity(), key, payload, reason, null);
        }

        @Override
        public void partial(String reason) {
            ctx.progress("{}", reason);
            ctx.partial(reason);
        }

        @Override
        public void checkNotCancelled() throws InterruptedException {
            ctx.checkNotCancelled();
        }
    }
}
