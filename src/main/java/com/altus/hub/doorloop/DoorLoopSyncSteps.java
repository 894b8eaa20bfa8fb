package com.altus.hub.doorloop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code doorloop-sync} route around its split: choose the resources (run
 * parameter {@code resources}), and finish (the resources that could not be pulled; the run fails
 * only when none could).
 */
@Component
public class DoorLoopSyncSteps {
    /** Keys of a raw entity's stats group. */
    public static final String[] ENTITY_STATS = {"fetched", "inserted", "updated", "unchanged", "deleted", "failed"};

    private final DoorLoopApi api;

    public DoorLoopSyncSteps(DoorLoopApi api) {
        this.api = api;
    }

    /** The resources to pull, as the units of the split (body), with the run's stats declared. */
    public void plan(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        List<DoorLoopResource> selected = selection(ctx.params().get(DoorLoopSyncRoutes.RESOURCES_PARAM));
        RunStats stats = ctx.stats();
        stats.set("source", api.describe());
        stats.declare("requests", "retries", "rate_limit_wait_ms", "fetch_ms", "store_ms");
        List<ResourceUnit> units = new ArrayList<>();
        for (DoorLoopResource r : selected) {
            stats.group(r.table().entity()).declare(ENTITY_STATS);
            if (r.carriesWorkOrders()) {
                stats.group(RawTable.WORK_ORDERS.entity()).declare(ENTITY_STATS);
            }
            units.add(new ResourceUnit(r.path()));
        }
        ex.setProperty(SyncState.PROPERTY, new SyncState(selected));
        ctx.progress("pulling {} resources from {}", selected.size(), api.describe());
        ex.getMessage().setBody(units);
    }

    /** Records the resources that could not be pulled; fails the run when that is every one of them. */
    public void finish(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        SyncState sync = SyncState.of(ex);
        List<String> failed = sync.failed();
        RunStats stats = ctx.stats();
        stats.set("failed_resources", failed);
        ctx.progress("done: {} requests, {} retries, {} of {} resources pulled", stats.get("requests"), stats.get("retries"),
                sync.selected().size() - failed.size(), sync.selected().size());
        if (!failed.isEmpty() && failed.size() == sync.selected().size()) {
            throw new IllegalStateException("no DoorLoop resource could be pulled"
                    + (sync.rejected() != null ? ": " + sync.rejected().getMessage() : " (see the resource dead letters)"));
        }
    }

    /** The resources a run parameter names (paths or entity names), all of them when it is absent or empty. */
    static List<DoorLoopResource> selection(Object param) {
        List<String> names = new ArrayList<>();
        if (param instanceof List<?> list) {
            list.forEach(o -> names.add(String.valueOf(o)));
        } else if (param != null) {
            names.addAll(Arrays.asList(param.toString().split(",")));
        }
        List<DoorLoopResource> out = new ArrayList<>();
        for (String name : names) {
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
        return out.isEmpty() ? List.of(DoorLoopResource.values()) : out;
    }
}
